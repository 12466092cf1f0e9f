"""``merchant-pos ledger ...``: the local ledger's status and its crash harness."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("ledger", help="the local ledger: status, crash test")
    sub = parser.add_subparsers(dest="ledger_command", metavar="ACTION", required=True)

    info = sub.add_parser("info", help="where the ledger is and what it holds")
    info.add_argument("--data-dir", help="data folder (default: the user's data folder)")
    info.set_defaults(func=_info)

    crash = sub.add_parser("crashtest", help="SIGKILL redeeming child processes, check the file")
    crash.add_argument("--kills", type=int, default=2000)
    crash.add_argument("--dir", help="folder for the test ledger (default: a new temp folder)")
    crash.add_argument("--seed", type=int, default=None)
    crash.add_argument("--max-delay-ms", type=float, default=40.0)
    crash.add_argument("--check-every", type=int, default=100)
    crash.set_defaults(func=_crashtest)


def _info(args: argparse.Namespace) -> int:
    from merchant_pos.store import Ledger, LedgerError, RedemptionOutbox

    try:
        with Ledger.open(args.data_dir) as ledger:
            counts = RedemptionOutbox(ledger).status_counts()
            head = ledger.audit_head()
            print(f"ledger: {ledger.path}")
            print(f"outbox: {counts or 'empty'}")
            print(f"audit chain head: row {head.seq} {head.hash[:16]}…")
    except LedgerError as exc:
        print(exc.message("zh_CN"))
        print(exc.message("en"))
        return 2
    return 0


def _crashtest(args: argparse.Namespace) -> int:
    from merchant_pos.store import crashtest

    folder = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="mpos-crash-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"crash test: {args.kills} kills against {folder}", flush=True)
    report = crashtest.run(folder, args.kills, seed=args.seed, max_delay_ms=args.max_delay_ms,
                           check_every=args.check_every, progress=True)
    print(report.summary())
    for problem in report.problems[:20]:
        print(f"  PROBLEM: {problem}")
    return 0 if not report.problems and report.kills == args.kills else 1
