"""Helpers shared by the report and receipt subcommands (not a subcommand: leading _)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from merchant_pos.store.ledger import Ledger

EXIT_OK, EXIT_USAGE, EXIT_DIFFERENCES, EXIT_UNREACHABLE = 0, 1, 3, 4


class CommandError(Exception):
    """A usage error, already in the user's words (exit 1)."""


def run_command(body: Callable[[argparse.Namespace, str], int],
                args: argparse.Namespace) -> int:
    """``body(args, language)``; a :class:`CommandError` is printed and exits 1."""
    lang = language(args.lang)
    try:
        return body(args, lang)
    except CommandError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE


# argparse's own words (English only) for the usage errors people make most.
_ARGPARSE_ZH = (("the following arguments are required: ", "缺少必填参数："),
                ("unrecognized arguments: ", "无法识别的参数："),
                ("invalid choice: ", "无效的选项："), (" (choose from ", "（可选："),
                ("expected one argument", "需要一个值"), ("invalid int value: ", "不是整数："),
                ("argument ", "参数 "))


def usage_errors_exit_1(parser: argparse.ArgumentParser) -> None:
    """This subcommand's usage errors exit 1 (argparse's own exit 2 otherwise), said in
    the user's language (``--lang`` on the command line, else ``$MPOS_LANG``/``$LANG``)."""

    def error(message: str) -> NoReturn:
        from merchant_pos.reports import messages

        argv = sys.argv[1:]
        given = next((argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--lang"), None)
        lang = language(given if given in ("zh_CN", "en") else None)
        if not lang.startswith("en"):
            for english, chinese in _ARGPARSE_ZH:
                message = message.replace(english, chinese)
        parser.print_usage(sys.stderr)
        print(messages.text("usage_error", lang, parser.prog, message), file=sys.stderr)
        raise SystemExit(EXIT_USAGE)

    parser.error = error  # type: ignore[method-assign]


def language(arg: str | None) -> str:
    from merchant_pos.resources import user_language

    return arg or user_language()


def say(key: str, lang: str, *args: object, err: bool = False) -> None:
    from merchant_pos.reports import messages

    print(messages.text(key, lang, *args), file=sys.stderr if err else sys.stdout)


def parse_day(text: str, lang: str) -> date:
    from merchant_pos.reports import messages

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(messages.text("bad_date", lang, text)) from None


def open_ledger(data_dir: Path | None, lang: str) -> Ledger:
    """The existing ledger of ``data_dir`` (a report never creates one)."""
    from merchant_pos.reports import messages
    from merchant_pos.store import Ledger, LedgerError
    from merchant_pos.store.paths import LEDGER_FILE
    from merchant_pos.store.paths import data_dir as default_data_dir

    folder = default_data_dir(data_dir)
    if not (Path(folder) / LEDGER_FILE).exists():
        raise CommandError(messages.text("no_ledger", lang, folder))
    try:
        return Ledger.open(folder)
    except LedgerError as exc:
        raise CommandError(exc.message(lang)) from None


def write_bytes(path: Path, data: bytes, lang: str) -> None:
    from merchant_pos.reports import messages

    try:
        path.write_bytes(data)
    except OSError as exc:
        raise CommandError(messages.text("cannot_write", lang, path, exc.strerror)) from None
