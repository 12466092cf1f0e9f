"""``merchant-pos sync``: push the outbox and pull updates now, or show where things stand."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from merchant_pos.store import Ledger
    from merchant_pos.store.stuck import StuckEntry


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("sync", help="sync with the central server now")
    parser.add_argument("--status", action="store_true", help="only show the sync status")
    parser.add_argument("--export-stuck", metavar="FILE",
                        help="write the entries the server refuses to FILE for support "
                             "(contains beneficiary codes: never part of a support bundle)")
    parser.add_argument("--data-dir", help="data folder (default: the user's data folder)")
    parser.add_argument("--lang", default="zh_CN", choices=["zh_CN", "en"])
    parser.set_defaults(func=_sync)


def _when(epoch: int | None) -> str:
    if epoch is None:
        return "-"
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _sync(args: argparse.Namespace) -> int:
    from merchant_pos.store import Ledger, LedgerError
    from merchant_pos.sync.clock import CorrectedClock
    from merchant_pos.sync.wiring import build_engine

    clock = CorrectedClock()
    try:
        with Ledger.open(args.data_dir, clock=clock.now) as ledger:
            engine = build_engine(ledger, clock, data_dir=args.data_dir)
            if args.export_stuck:
                return _export_stuck(ledger, args)
            if not args.status:
                report = engine.sync_now()
                print(report.message(args.lang))
            status = engine.status(args.lang)
            print(f"state: {status.state.value}  server: {status.server_url or '-'}  "
                  f"device: {status.device_id or '-'}")
            print(f"last success: {_when(status.last_success_at)}  pending: "
                  f"{status.pending_entries}  unsynced covered (fen): "
                  f"{status.unsynced_covered_fen}  conflicts: {status.conflicts}  "
                  f"stuck: {status.stuck_entries}")
            print("fresh: " + ", ".join(f"{k} {_when(v)}" for k, v in status.fresh_at.items()))
            for line in filter(None, [status.server_flag_warning, status.clock_warning,
                                      status.last_error]):
                print(line)
            if status.redemption_block is not None:
                print(status.redemption_block.message(args.lang))
            for finding in status.stale_findings:
                print(finding.message(args.lang))
            if status.stuck_entries:
                _print_stuck(engine.ledger.stuck_entries(), args.lang)
            return 0 if args.status or report.ok else 1
    except LedgerError as exc:
        print(exc.message(args.lang))
        return 2


def _print_stuck(entries: list[StuckEntry], lang: str) -> None:
    from merchant_pos.sync import messages

    for e in entries:
        print(f"  {e.kind} {e.receipt_no} ({_when(e.created_at)}, "
              f"{messages.yuan(e.covered)}): "
              f"{messages.describe_stuck_reason(e.reason, lang)}"
              + (f" [{e.server_message}]" if e.server_message else ""))
    print(messages.text("stuck_what_to_do", lang))
    print(messages.text("stuck_export_how", lang))


def _export_stuck(ledger: Ledger, args: argparse.Namespace) -> int:
    from merchant_pos.store.stuck import export_stuck
    from merchant_pos.sync import messages
    from merchant_pos.sync.engine import DEVICE_ID
    from merchant_pos.sync.ledger_port import SyncLedger

    device = SyncLedger(ledger).get_setting(DEVICE_ID)
    try:
        count = export_stuck(ledger, Path(args.export_stuck), at=int(ledger.clock()),
                             device_id=device if isinstance(device, str) else None)
    except FileExistsError:
        print(messages.text("stuck_export_exists", args.lang, path=args.export_stuck))
        return 1
    except OSError as exc:
        print(messages.text("stuck_export_failed", args.lang, detail=exc.strerror or exc))
        return 1
    print(messages.text("stuck_exported", args.lang, count=count, path=args.export_stuck))
    return 0
