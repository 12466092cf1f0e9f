"""``merchant-pos receipt RECEIPT_NO``: show a receipt again, or write it as ESC/POS bytes
or a PDF at roll width; ``--copy`` marks it 重印 COPY, ``--void`` gives the void slip.

Old 43-character receipt numbers and redemption ids are found too. Exit 0, or 1
(unknown receipt, usage errors), with messages in the user's language.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from merchant_pos.commands._common import (
    EXIT_OK,
    CommandError,
    open_ledger,
    run_command,
    usage_errors_exit_1,
    write_bytes,
)


def register(sub: Any) -> None:
    p = sub.add_parser("receipt", help="print or export a receipt again (reprint, void slip)")
    p.add_argument("receipt_no", metavar="RECEIPT_NO", help="receipt number (or redemption id)")
    p.add_argument("--escpos", type=Path, metavar="FILE", help="write the ESC/POS job")
    p.add_argument("--pdf", type=Path, metavar="FILE", help="write a PDF at roll width")
    p.add_argument("--copy", action="store_true", help="mark it as a reprint (重印 COPY)")
    p.add_argument("--void", action="store_true", help="the void slip instead")
    p.add_argument("--width", type=int, choices=[58, 80], help="roll width, mm (default: set)")
    p.add_argument("--data-dir", type=Path, help="data folder (default: the user's)")
    p.add_argument("--lang", choices=["zh_CN", "en"], help="language (default: from $LANG)")
    usage_errors_exit_1(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return run_command(_run, args)


def _run(args: argparse.Namespace, lang: str) -> int:
    from merchant_pos.printing.build import UnknownReceipt, receipt_content, void_content
    from merchant_pos.printing.config import load_config
    from merchant_pos.printing.layout import layout_receipt, plain_text
    from merchant_pos.printing.queue import PrintQueue
    from merchant_pos.printing.spooler import job_bytes
    from merchant_pos.reports import messages

    key = args.receipt_no.strip()
    with open_ledger(args.data_dir, lang) as ledger:
        config = load_config(ledger)
        if args.width:
            from dataclasses import replace

            config = replace(config, width_mm=args.width)
        try:
            if args.void:
                content = void_content(ledger, key, lang, copy=args.copy)
            else:
                content = receipt_content(ledger, key, lang, copy=args.copy)
                rid = _redemption_id(ledger, key)
                first = PrintQueue(ledger).first_content(rid) if rid else None
                if first is not None and first.language == lang:  # the words first printed
                    content = first.as_copy() if args.copy else first
        except UnknownReceipt:
            if args.void:
                raise CommandError(messages.text("not_voided", lang, key)) from None
            raise CommandError(messages.text("unknown_receipt", lang, key)) from None
    lines = layout_receipt(content, config.columns)
    if args.escpos:
        write_bytes(args.escpos, job_bytes(content, config), lang)
    if args.pdf:
        from merchant_pos.ui.qt_pdf import receipt_pdf

        try:
            receipt_pdf(lines, config.columns, str(args.pdf))
        except OSError as exc:
            raise CommandError(messages.text("cannot_write", lang, args.pdf,
                                             exc.strerror or exc)) from None
    print(plain_text(lines, config.columns))
    for path in (args.escpos, args.pdf):
        if path:
            print(messages.text("written", lang, path))
    return EXIT_OK


def _redemption_id(ledger: Any, key: str) -> str | None:
    with ledger.read_raw() as db:
        row = db.execute("SELECT id FROM redemptions WHERE id = ? OR receipt_no = ?",
                         (key, key)).fetchone()
    return None if row is None else str(row[0])
