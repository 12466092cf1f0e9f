"""The ``merchant-pos`` command line.

Each subcommand lives in its own module under ``merchant_pos/commands/`` and
exposes ``register(subparsers)``; the module adds its parser and sets
``func`` (``args -> exit status``). Commands import their heavy dependencies
inside ``func`` so that ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from merchant_pos import __version__, commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="merchant-pos",
        description="Redeem charity entitlements (BC1 beneficiary codes) at a partner counter.",
    )
    parser.add_argument("--version", action="version", version=f"merchant-pos {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 1
    if args.command in LOGGED_COMMANDS and hasattr(args, "data_dir"):
        _start_log(args)
    status: int = args.func(args)
    return status


# Commands that work on the counter's data folder write its log file (the demo
# starts its own, in its folder).
LOGGED_COMMANDS = frozenset({"run", "sync", "enroll", "ledger", "audit", "staff", "report",
                             "receipt"})


def _start_log(args: argparse.Namespace) -> None:
    from merchant_pos.diagnostics.logfile import start_log
    from merchant_pos.resources import user_language
    from merchant_pos.store.paths import data_dir

    try:
        start_log(data_dir(args.data_dir), args.command,
                  getattr(args, "lang", None) or user_language())
    except OSError as exc:  # a folder we cannot write: the command says so itself
        print(f"merchant-pos: cannot write the log file: {exc}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
