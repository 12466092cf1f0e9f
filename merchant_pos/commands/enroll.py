"""``merchant-pos enroll``: enroll this POS with the foundation's server (URL + one-time code)."""

from __future__ import annotations

import argparse
import platform
import sys
from typing import Any

PROMPT = {"zh_CN": "请输入登记码：", "en": "Enrollment code: "}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("enroll", help="enroll this POS with the central server")
    parser.add_argument("--server", required=True,
                        help="server address, e.g. https://pos.example.org")
    parser.add_argument("--code",
                        help="one-time enrollment code; '-' reads it from stdin; without it "
                             "the code is asked for (so it does not show in the process list)")
    parser.add_argument("--name", default=platform.node() or "POS", help="a label for this POS")
    parser.add_argument("--ca-bundle", help="PEM file of the foundation's own CA certificate")
    parser.add_argument("--data-dir", help="data folder (default: the user's data folder)")
    parser.add_argument("--lang", default="zh_CN", choices=["zh_CN", "en"])
    parser.add_argument("--no-sync", action="store_true", help="do not sync right after")
    parser.add_argument("--insecure-http", action="store_true",
                        help="allow http:// to another machine (lab use only: the device "
                             "token travels in clear)")
    parser.set_defaults(func=_enroll)


def _enroll(args: argparse.Namespace) -> int:
    from merchant_pos.store import Ledger, LedgerError
    from merchant_pos.sync import messages
    from merchant_pos.sync.clock import CorrectedClock
    from merchant_pos.sync.enrollment import enroll_device
    from merchant_pos.sync.errors import SyncError
    from merchant_pos.sync.ledger_port import SyncLedger
    from merchant_pos.sync.wiring import build_engine, token_store_for

    code = read_code(args.code, args.lang)
    if args.insecure_http:
        print(messages.text("insecure_http_warning", args.lang, server=args.server),
              file=sys.stderr)
    clock = CorrectedClock()
    try:
        with Ledger.open(args.data_dir, clock=clock.now) as ledger:
            try:
                done = enroll_device(SyncLedger(ledger), token_store_for(args.data_dir),
                                     args.server, code, args.name,
                                     ca_bundle=args.ca_bundle, clock=clock,
                                     insecure_http=args.insecure_http)
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


def read_code(flag: str | None, lang: str) -> str:
    """The code from ``--code``, from stdin (``--code -``, or a pipe), or typed at a prompt."""
    if flag is not None and flag != "-":
        return flag
    if flag is None and sys.stdin.isatty():
        try:
            return input(PROMPT.get(lang, PROMPT["en"]))
        except EOFError:
            return ""
    return sys.stdin.readline()
