"""The merchant's daily settlement, from this counter's own ledger.

Totals of one local business day (in the merchant's time zone) by program,
category and status. Voided redemptions are listed but counted apart: they
owe nothing. The server's settlement is the authoritative one; this is what
the shop checks its till against before the day's sync.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from merchant_pos.store.ledger import Ledger
from merchant_pos.store.models import RedemptionLineRow, RedemptionRow, RedemptionStatus


@dataclass(frozen=True, slots=True)
class SettlementRow:
    program: str
    category: str
    status: str
    redemptions: int
    total: int
    covered: int
    pays: int


@dataclass(frozen=True, slots=True)
class Settlement:
    day: date
    time_zone: str
    rows: tuple[SettlementRow, ...]
    redemptions: int
    covered: int  # owed by the foundation: everything not voided or rejected
    pays: int
    voided: int
    by_status: dict[str, int] = field(default_factory=dict)


def day_bounds(day: date, tz: ZoneInfo) -> tuple[int, int]:
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    nxt = day + timedelta(days=1)
    end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz)
    return int(start.timestamp()), int(end.timestamp())


def daily_settlement(ledger: Ledger, day: date, time_zone: str) -> Settlement:
    """Totals of ``day`` (local to ``time_zone``) from this counter's redemptions."""
    start, end = day_bounds(day, ZoneInfo(time_zone))
    counted = (RedemptionStatus.PENDING.value, RedemptionStatus.ACCEPTED.value,
               RedemptionStatus.CONFLICT.value)
    with ledger.read() as session:
        rows = session.execute(
            select(RedemptionRow.id, RedemptionRow.prg, RedemptionRow.status,
                   RedemptionLineRow.cat, RedemptionLineRow.amount, RedemptionLineRow.covered)
            .join(RedemptionLineRow, RedemptionLineRow.redemption_id == RedemptionRow.id)
            .where(RedemptionRow.created_at >= start, RedemptionRow.created_at < end)
            .order_by(RedemptionRow.prg, RedemptionLineRow.cat)).all()
    groups: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    ids: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    status_of: dict[str, str] = {}
    covered = pays = voided = 0
    for rid, prg, status, cat, amount, line_covered in rows:
        key = (prg, cat, status)
        g = groups[key]
        g[0] += amount
        g[1] += line_covered
        g[2] += amount - line_covered
        ids[key].add(rid)
        status_of[rid] = status
        if status in counted:
            covered += line_covered
            pays += amount - line_covered
        elif status == RedemptionStatus.VOIDED.value:
            voided += line_covered
    by_status: dict[str, int] = defaultdict(int)
    for status in status_of.values():
        by_status[status] += 1
    out = tuple(SettlementRow(prg, cat, status, len(ids[(prg, cat, status)]), *g)
                for (prg, cat, status), g in sorted(groups.items()))
    return Settlement(day, time_zone, out, len(status_of), covered, pays, voided,
                      dict(by_status))
