"""Receipts laid out for a roll of 32 (58 mm) or 48 (80 mm) columns.

A column is one half-width cell: an ASCII character takes one, a Chinese
character two (exactly its GBK byte count, which is how the printer's
built-in fonts place them). Money uses the full-width ￥ (the plain ¥ has no
GBK code). The same lines feed the ESC/POS renderer and the PDF one.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from merchant_pos.domain.money import format_fen
from merchant_pos.printing import messages
from merchant_pos.printing.content import ReceiptContent

WIDTHS = {58: 32, 80: 48}
YUAN = "￥"


@dataclass(frozen=True, slots=True)
class PrintLine:
    text: str = ""
    align: str = "left"    # left, center, right
    bold: bool = False
    big: bool = False      # double width and height (takes two columns per column)
    kind: str = "text"     # text, rule, qr, feed


def char_width(ch: str) -> int:
    try:
        return len(ch.encode("gbk"))
    except UnicodeEncodeError:
        return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def text_width(text: str) -> int:
    return sum(char_width(c) for c in text)


def fits_gbk(text: str) -> bool:
    try:
        text.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True


def wrap(text: str, width: int) -> list[str]:
    """Break ``text`` into lines of at most ``width`` columns (never splitting a character)."""
    out, line, used = [], "", 0
    for ch in text:
        w = char_width(ch)
        if used + w > width and line:
            out.append(line)
            line, used = "", 0
        line += ch
        used += w
    out.append(line)
    return out


def two_columns(left: str, right: str, width: int) -> list[str]:
    """``left`` and ``right`` on one line, right-aligned; wrapped when they do not fit."""
    gap = width - text_width(left) - text_width(right)
    if gap >= 1:
        return [left + " " * gap + right]
    lines = wrap(left, width)
    last_gap = width - text_width(lines[-1]) - text_width(right)
    if last_gap >= 1:
        lines[-1] = lines[-1] + " " * last_gap + right
    else:
        lines.append(" " * max(0, width - text_width(right)) + right)
    return lines


def money(fen: int) -> str:
    return format_fen(fen, YUAN)


def _labelled(label: str, value: str, width: int) -> list[PrintLine]:
    return [PrintLine(t) for t in two_columns(label, value, width)]


def layout_receipt(content: ReceiptContent, width: int) -> list[PrintLine]:
    """The receipt (or void slip) as lines of ``width`` columns, QR last, ready to cut."""
    lang = content.language

    def t(key: str, *args: object) -> str:
        return messages.text(key, lang, *args)

    out: list[PrintLine] = []
    if content.copy:
        out.append(PrintLine(t("copy"), "center", bold=True, big=True))
    for part in wrap(content.shop, width // 2):
        out.append(PrintLine(part, "center", bold=True, big=True))
    title = t("void_title") if content.kind == "void" else t("receipt_title")
    out.append(PrintLine(title, "center", bold=True))
    out.append(PrintLine(kind="rule"))
    if content.kind == "void":
        out += _labelled(t("voided_receipt"), content.receipt_no, width)
    else:
        out += _labelled(t("receipt_no"), content.receipt_no, width)
    out += _labelled(t("device"), content.device, width)
    out += _labelled(t("time"), content.local_time, width)
    if content.kind == "void":
        out += _labelled(t("void_time"), content.void_time or "", width)
        out += _labelled(t("supervisor"), content.operator, width)
    else:
        out += _labelled(t("operator"), content.operator, width)
    out += _labelled(t("beneficiary"), content.beneficiary, width)
    out += _labelled(t("program"), content.program, width)
    out.append(PrintLine(kind="rule"))
    for line in content.lines:
        out += [PrintLine(x) for x in two_columns(f"{line.name} ×{line.qty}",
                                                    money(line.amount), width)]
        out += [PrintLine(x) for x in two_columns(f"  {t('covered_short')}",
                                                    money(line.covered), width)]
    out.append(PrintLine(kind="rule"))
    out += _labelled(t("total"), money(content.total), width)
    if content.kind == "void":
        out += [PrintLine(x, bold=True) for x in two_columns(
            t("void_returned"), money(content.covered), width)]
        out += _labelled(t("void_reason"), content.void_reason or "", width)
        out.append(PrintLine(kind="rule"))
        out.append(PrintLine(t("void_note"), "center", bold=True))
    else:
        out += [PrintLine(x, bold=True) for x in two_columns(t("covered"),
                                                             money(content.covered), width)]
        out += [PrintLine(x, bold=True) for x in two_columns(t("paid"),
                                                             money(content.paid), width)]
        if content.remaining:
            out.append(PrintLine(kind="rule"))
            out.append(PrintLine(t("remaining"), bold=True))
            from merchant_pos.printing.build import left_text

            for item in content.remaining:
                value = left_text(item, lang)
                if item.until:
                    value += " " + t("until", item.until)
                out += [PrintLine(x) for x in two_columns(item.name, value, width)]
        if content.earliest_expiry:
            out += _labelled(t("earliest_expiry"), content.earliest_expiry, width)
        if content.pending_upload:
            out.append(PrintLine(kind="rule"))
            out.append(PrintLine(t("pending_upload"), "center", bold=True, big=True))
        out.append(PrintLine(kind="rule"))
        out += [PrintLine(x, "center") for x in wrap(t("keep"), width)]
    out.append(PrintLine(content.receipt_no, "center", kind="qr"))
    if content.copy:
        out.append(PrintLine(t("copy"), "center", bold=True))
    return out


def plain_text(lines: list[PrintLine], width: int) -> str:
    """The lines as the roll would show them (tests, the on-screen preview, logs)."""
    out = []
    for line in lines:
        if line.kind == "rule":
            out.append("-" * width)
        elif line.kind == "qr":
            out.append(f"[QR {line.text}]".center(width))
        else:
            cols = width // 2 if line.big else width
            pad = max(0, cols - text_width(line.text))
            if line.align == "center":
                out.append(" " * (pad // 2) + line.text)
            elif line.align == "right":
                out.append(" " * pad + line.text)
            else:
                out.append(line.text)
    return "\n".join(out)
