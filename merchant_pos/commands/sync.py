"""``merchant-pos sync``: push the outbox and pull updates now, or show where things stand."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("sync", help="sync with the central server now")
    parser.add_argument("--status", action="store_true", help="only show the sync status")
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
            if not args.status:
                report = engine.sync_now()
                print(report.message(args.lang))
            status = engine.status(args.lang)
            print(f"state: {status.state.value}  server: {status.server_url or '-'}  "
                  f"device: {status.device_id or '-'}")
            print(f"last success: {_when(status.last_success_at)}  pending: "
                  f"{status.pending_entries}  unsynced covered (fen): "
                  f"{status.unsynced_covered_fen}  conflicts: {status.conflicts}")
            print("fresh: " + ", ".join(f"{k} {_when(v)}" for k, v in status.fresh_at.items()))
            for line in filter(None, [status.server_flag_warning, status.clock_warning,
                                      status.last_error]):
                print(line)
            if status.redemption_block is not None:
                print(status.redemption_block.message(args.lang))
            for finding in status.stale_findings:
                print(finding.message(args.lang))
            return 0 if args.status or report.ok else 1
    except LedgerError as exc:
        print(exc.message(args.lang))
        return 2
