"""``merchant-pos enroll``: enroll this POS with the foundation's server (URL + one-time code)."""

from __future__ import annotations

import argparse
import platform
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("enroll", help="enroll this POS with the central server")
    parser.add_argument("--server", required=True,
                        help="server address, e.g. https://pos.example.org")
    parser.add_argument("--code", required=True,
                        help="one-time enrollment code from the foundation")
    parser.add_argument("--name", default=platform.node() or "POS", help="a label for this POS")
    parser.add_argument("--ca-bundle", help="PEM file of the foundation's own CA certificate")
    parser.add_argument("--data-dir", help="data folder (default: the user's data folder)")
    parser.add_argument("--lang", default="zh_CN", choices=["zh_CN", "en"])
    parser.add_argument("--no-sync", action="store_true", help="do not sync right after")
    parser.set_defaults(func=_enroll)


def _enroll(args: argparse.Namespace) -> int:
    from merchant_pos.store import Ledger, LedgerError
    from merchant_pos.sync.clock import CorrectedClock
    from merchant_pos.sync.enrollment import enroll_device
    from merchant_pos.sync.errors import SyncError
    from merchant_pos.sync.ledger_port import SyncLedger
    from merchant_pos.sync.wiring import build_engine, token_store_for

    clock = CorrectedClock()
    try:
        with Ledger.open(args.data_dir, clock=clock.now) as ledger:
            try:
                done = enroll_device(SyncLedger(ledger), token_store_for(args.data_dir),
                                     args.server, args.code, args.name,
                                     ca_bundle=args.ca_bundle, clock=clock)
            except SyncError as exc:
                print(exc.message(args.lang))
                return 1
            print(done.message(args.lang))
            if args.no_sync:
                return 0
            report = build_engine(ledger, clock, data_dir=args.data_dir).sync_now()
            print(report.message(args.lang))
            return 0 if report.ok else 1
    except LedgerError as exc:
        print(exc.message(args.lang))
        return 2
