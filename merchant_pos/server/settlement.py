"""Settlement: per merchant and local day, totals by program, category and status.

A voided redemption counts under ``voided`` whatever it was before; a
conflict stays visible as ``conflict`` so the foundation can follow it up.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, select

from merchant_pos.server.schema import redemption_lines, redemptions


def settlement_rows(conn: Connection, *, merchant_id: str | None = None,
                    day: str | None = None) -> list[dict[str, Any]]:
    r, ln = redemptions.c, redemption_lines.c
    stmt = (select(r.id, r.day, r.merchant_id, r.program_id, r.status, r.voided_by,
                   ln.cat, ln.amount, ln.covered)
            .join(redemption_lines, ln.redemption_uuid == r.uuid)
            .where(r.kind == "redemption"))
    if merchant_id is not None:
        stmt = stmt.where(r.merchant_id == merchant_id)
    if day is not None:
        stmt = stmt.where(r.day == day)
    totals: dict[tuple[str, str, str, str, str], list[Any]] = defaultdict(
        lambda: [set(), 0, 0])
    for row in conn.execute(stmt):
        status = "voided" if row.voided_by is not None else row.status
        key = (row.day, row.merchant_id, row.program_id or "", row.cat, status)
        acc = totals[key]
        acc[0].add(row.id)
        acc[1] += row.amount
        acc[2] += row.covered
    return [
        {"day": d, "merchant": m, "program": p or None, "cat": c, "status": s,
         "count": len(acc[0]), "total": acc[1], "covered": acc[2]}
        for (d, m, p, c, s), acc in sorted(totals.items())
    ]


def format_settlement(rows: list[dict[str, Any]]) -> str:
    """A plain-text table for the admin CLI (amounts in yuan)."""
    if not rows:
        return "No redemptions."
    head = f"{'day':<10}  {'merchant':<16} {'program':<20} {'category':<12} {'status':<9}" \
           f" {'count':>5} {'total':>12} {'covered':>12}"
    out = [head, "-" * len(head)]
    for x in rows:
        out.append(
            f"{x['day']:<10}  {x['merchant']:<16} {x['program'] or '-':<20} {x['cat']:<12} "
            f"{x['status']:<9} {x['count']:>5} {_yuan(x['total']):>12} {_yuan(x['covered']):>12}")
    return "\n".join(out)


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"
