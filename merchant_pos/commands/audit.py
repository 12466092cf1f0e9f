"""``merchant-pos audit verify``: check the audit trail's hash chain, name the first bad row."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("audit", help="the audit trail")
    sub = parser.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = sub.add_parser("verify", help="check the hash chain; exit 1 naming the first bad row")
    verify.add_argument("--data-dir", help="data folder (default: the user's data folder)")
    verify.add_argument("--lang", default="zh_CN", choices=["zh_CN", "en"])
    verify.set_defaults(func=_verify)


def _verify(args: argparse.Namespace) -> int:
    from merchant_pos.store import Ledger, LedgerError

    try:
        with Ledger.open(args.data_dir) as ledger:
            result = ledger.verify_audit()
    except LedgerError as exc:
        print(exc.message(args.lang))
        return 2
    print(result.message(args.lang))
    return 0 if result.ok else 1
