"""Lines to a printer, whatever kind it is: ESC/POS bytes to a thermal printer, or the
same lines drawn by a system printer's driver (``system://NAME``).

The system-printer drawing needs Qt, which lives in ui/: it is handed in as a
:data:`LinePrinter` (``merchant_pos.ui.system_printer.SystemPrinter.print_lines``).
Without one, a ``system://`` target fails like any other printer problem (the
job stays queued) instead of importing Qt here.
"""

from __future__ import annotations

from collections.abc import Callable

from merchant_pos.printing.escpos_render import render_escpos
from merchant_pos.printing.layout import PrintLine
from merchant_pos.printing.targets import PrintError, Target, send

# (printer name, lines, columns) -> None; raises PrintError when it did not print.
LinePrinter = Callable[[str, list[PrintLine], int], None]


def print_lines(target: Target, lines: list[PrintLine], width: int, *,
                drawer: bool = False, timeout: float = 5.0,
                system: LinePrinter | None = None) -> None:
    """Print ``lines`` on a ``width``-column roll at ``target``; raises
    :class:`PrintError` (with the clerk's words) when it did not print."""
    if target.scheme == "system":
        if system is None:
            raise PrintError("unsupported", target.address)
        system(target.address, lines, width)  # a driver opens no cash drawer
        return
    send(target, render_escpos(lines, width, drawer=drawer), timeout=timeout)
