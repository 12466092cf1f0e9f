"""The recovery code on paper (when a printer is set): shown once, printed once if asked.

Nothing about the code is kept but its hash (store/staff.py); the slip goes
straight to the printer, never through the persisted print queue.
"""

from __future__ import annotations

from collections.abc import Callable

from merchant_pos.domain.i18n import pick
from merchant_pos.printing.config import PrinterConfig
from merchant_pos.printing.escpos_render import render_escpos
from merchant_pos.printing.layout import PrintLine
from merchant_pos.printing.targets import Target, send

# Draws lines on a system printer: (printer name, lines, columns), as SystemPrinter.print_lines.
SystemPrint = Callable[[str, list[PrintLine], int], None]


def recovery_lines(code: str, config: PrinterConfig) -> list[PrintLine]:
    """The slip's lines, laid out for the roll's width."""
    title = pick({"zh_CN": "主管恢复码", "en": "Supervisor recovery code"}, config.language)
    note = pick({"zh_CN": "可解锁一次被锁定的主管。请妥善保管，不要放在收银台。",
                 "en": "Unlocks a locked supervisor once. Keep it safe, away from the counter."},
                config.language)
    lines = [PrintLine(title, "center", bold=True), PrintLine(kind="rule"),
             PrintLine(code, "center", bold=True, big=config.columns >= 48),
             PrintLine(kind="rule")]
    width = config.columns
    words, line = note.split(" ") if " " in note else list(note), ""
    joiner = " " if " " in note else ""
    for word in words:  # wrap the note to the roll
        if line and len((line + joiner + word).encode("gbk")) > width:
            lines.append(PrintLine(line))
            line = word
        else:
            line = f"{line}{joiner}{word}" if line else word
    lines += [PrintLine(line), PrintLine(kind="feed")]
    return lines


def recovery_slip(code: str, config: PrinterConfig) -> bytes:
    """The slip as ESC/POS bytes for a thermal printer."""
    return render_escpos(recovery_lines(code, config), config.columns)


def print_recovery_code(code: str, config: PrinterConfig,
                        system: SystemPrint | None = None) -> None:
    """Print the slip now, on the thermal printer or, through ``system``, on a system
    printer; raises PrintError (with a clerk's message) when it did not."""
    target = Target.parse(config.target)
    if target.scheme == "system" and system is not None:
        system(target.address, recovery_lines(code, config), config.columns)
        return
    send(target, recovery_slip(code, config))
