"""Helpers shared by the report and receipt subcommands (not a subcommand: leading _)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from merchant_pos.store.ledger import Ledger

EXIT_OK, EXIT_USAGE, EXIT_DIFFERENCES, EXIT_UNREACHABLE = 0, 1, 3, 4


class CommandError(Exception):
    """A usage error, already in the user's words (exit 1)."""


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
