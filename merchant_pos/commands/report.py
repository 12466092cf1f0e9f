"""``merchant-pos report``: the 日结 of a business day (or a date range), on screen, as
CSV / PDF / an ESC/POS slip, and reconciled with the server.

Exit 0 when done (with ``--reconcile``: the day matches the server), 3 when
differences remain, 4 when the server cannot be reached for ``--reconcile``,
1 on usage errors. Messages are in the user's language (``--lang``, else
``$MPOS_LANG``/``$LANG``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from merchant_pos.commands._common import (
    EXIT_DIFFERENCES,
    EXIT_OK,
    EXIT_UNREACHABLE,
    CommandError,
    open_ledger,
    parse_day,
    run_command,
    say,
    usage_errors_exit_1,
    write_bytes,
)


def register(sub: Any) -> None:
    p = sub.add_parser("report", help="the day's settlement (日结), reconciled with the server")
    p.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="the business day")
    p.add_argument("--to", metavar="YYYY-MM-DD", help="last day of a date range (a month)")
    p.add_argument("--csv", type=Path, metavar="FILE", help="write CSV (UTF-8 with BOM)")
    p.add_argument("--pdf", type=Path, metavar="FILE", help="write an A4 PDF")
    p.add_argument("--escpos", type=Path, metavar="FILE", help="write the thermal slip (ESC/POS)")
    p.add_argument("--width", type=int, choices=[58, 80], default=58, help="slip roll width, mm")
    p.add_argument("--reconcile", action="store_true",
                   help="sync, then compare each day with the server's list")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--data-dir", type=Path, help="data folder (default: the user's)")
    p.add_argument("--lang", choices=["zh_CN", "en"], help="language (default: from $LANG)")
    usage_errors_exit_1(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return run_command(_run, args)


def _reconcile(ledger: Any, args: argparse.Namespace, days: list[Any], lang: str
               ) -> tuple[dict[str, Any], int]:
    import time

    from merchant_pos.reports import messages
    from merchant_pos.reports.reconcile import reconcile_day, server_fetcher
    from merchant_pos.sync.clock import CorrectedClock
    from merchant_pos.sync.errors import NotEnrolled, SyncError
    from merchant_pos.sync.wiring import build_engine, token_store_for

    engine = build_engine(ledger, CorrectedClock(), data_dir=args.data_dir)
    engine.sync_now()  # upload what waits; a failure shows in the fetch below
    fetch = server_fetcher(ledger, token_store_for(args.data_dir))
    out: dict[str, Any] = {}
    try:
        results = [reconcile_day(ledger, day, fetch, now=int(time.time())) for day in days]
    except NotEnrolled:
        raise CommandError(messages.text("not_enrolled", lang)) from None
    except SyncError as exc:
        say("unreachable", lang, exc.message(lang), err=True)
        return {"error": "unreachable", "message": exc.message(lang)}, EXIT_UNREACHABLE
    for r in results:
        out[r.day.isoformat()] = {
            "reconciled": r.reconciled,
            "differences": [{"kind": d.kind, "redemption_id": d.redemption_id,
                             "receipt_no": d.receipt_no, "here": d.here, "server": d.server,
                             "message": d.message(lang)} for d in r.differences]}
    status = EXIT_OK if all(r.reconciled for r in results) else EXIT_DIFFERENCES
    return out, status


def _run(args: argparse.Namespace, lang: str) -> int:
    first = parse_day(args.date, lang)
    last = parse_day(args.to, lang) if args.to else first
    from merchant_pos.reports import messages

    if last < first:
        raise CommandError(messages.text("bad_range", lang))
    if (last - first).days > 366:
        raise CommandError(messages.text("range_too_long", lang))
    from merchant_pos.printing.escpos_render import render_escpos
    from merchant_pos.printing.layout import plain_text
    from merchant_pos.reports.csv_export import report_csv
    from merchant_pos.reports.daily import build_report
    from merchant_pos.reports.entries import days
    from merchant_pos.reports.reconcile import reconciled_state
    from merchant_pos.reports.slip import report_lines

    with open_ledger(args.data_dir, lang) as ledger:
        status, recon = EXIT_OK, dict[str, Any]()
        if args.reconcile:
            recon, status = _reconcile(ledger, args, days(first, last), lang)
        report = build_report(ledger, first, last, lang)
        states = {d.isoformat(): reconciled_state(ledger, d) for d in days(first, last)}
    overall = _overall(states)
    width = 48 if args.width == 80 else 32
    if args.csv:
        write_bytes(args.csv, report_csv(report, lang).encode("utf-8-sig"), lang)
    if args.escpos:
        write_bytes(args.escpos, render_escpos(report_lines(report, width, lang,
                                                            reconciliation=overall), width),
                    lang)
    if args.pdf:
        from merchant_pos.ui.qt_pdf import report_pdf

        report_pdf(report, str(args.pdf), lang, overall)
    if args.json:
        print(json.dumps(_as_json(report, states, recon), ensure_ascii=False, indent=1))
    else:
        print(plain_text(report_lines(report, 48, lang, reconciliation=overall), 48))
        for day in recon.values():
            for diff in day.get("differences", []) if isinstance(day, dict) else []:
                print(diff["message"])
        for path in (args.csv, args.pdf, args.escpos):
            if path:
                print(messages.text("written", lang, path))
    return status


def _overall(states: dict[str, str]) -> str:
    values = set(states.values())
    for state in ("differences", "changed", "unchecked"):
        if state in values:
            return state
    return "reconciled"


def _totals(t: Any) -> dict[str, int]:
    return {"count": t.count, "total": t.total, "covered": t.covered, "paid": t.paid,
            "reimbursable": t.reimbursable, "awaiting": t.awaiting}


def _as_json(report: Any, states: dict[str, str], recon: dict[str, Any]) -> dict[str, Any]:
    return {
        "first": report.first.isoformat(), "last": report.last.isoformat(),
        "shop": report.shop, "device": report.device, "totals": _totals(report.totals),
        "by_program": {k: _totals(v) for k, v in report.by_program.items()},
        "by_category": {k: _totals(v) for k, v in report.by_category.items()},
        "by_status": {k: _totals(v) for k, v in report.by_status.items()},
        "by_operator": {k: _totals(v) for k, v in report.by_operator.items()},
        "adjustments": [{"day": a.day.isoformat(), "receipt_no": a.receipt_no,
                         "original_day": a.original_day.isoformat(), "covered": a.covered,
                         "redemption_id": a.redemption_id} for a in report.adjustments],
        "net_reimbursable": report.net_reimbursable,
        "time_flagged": [e.id for e in report.time_flagged],
        "entries": [{"id": e.id, "receipt_no": e.receipt_no, "day": e.day.isoformat(),
                     "time": e.local_time, "program": e.program, "operator": e.operator,
                     "status": e.status, "total": e.total, "covered": e.covered,
                     "paid": e.paid, "reimbursable": report.owed.get(e.id),
                     "time_flag": e.time_flag} for e in report.entries],
        "reconciliation": {"days": states, **({"checked": recon} if recon else {})},
    }
