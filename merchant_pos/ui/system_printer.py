"""System printers (a Windows driver, a CUPS queue) through Qt's ``QPrinter``, with no
dialog: receipts at roll width (58/80 mm page, the embedded CJK font of
:mod:`merchant_pos.ui.qt_pdf`), the 日结 on A4.

The printer settings store ``system://NAME``. Printing runs on the receipt
printer's worker thread (Qt supports painting on a ``QPrinter`` off the GUI
thread); a printer that is gone or refuses the job raises
:class:`~merchant_pos.printing.targets.PrintError`, so the spooler keeps the job
queued and tells the clerk, exactly as for a thermal printer.

``printer_for`` makes the ``QPrinter`` for a name: the installed printer by
default; tests hand in a ``QPrinter`` whose output format is a PDF file and
read it back, through this same code.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from merchant_pos.printing.layout import PrintLine
from merchant_pos.printing.targets import SYSTEM_PREFIX, PrintError
from merchant_pos.reports.daily import DayReport
from merchant_pos.ui.qt_pdf import ensure_gui, paint_receipt, paint_report, setup_receipt_page

PrinterFactory = Callable[[str], QPrinter]


def available_printers() -> list[str]:
    """The names of the printers installed on this computer ([] when there are none)."""
    ensure_gui()
    return sorted(QPrinterInfo.availablePrinterNames())


def system_target(name: str) -> str:
    return SYSTEM_PREFIX + name


def installed_printer(name: str) -> QPrinter:
    """The installed printer ``name``; PrintError("printer_gone") when it is not there
    (unplugged, renamed, removed from the system)."""
    info = QPrinterInfo.printerInfo(name)
    if info.isNull():
        raise PrintError("printer_gone", name)
    return QPrinter(info, QPrinter.PrinterMode.HighResolution)


class SystemPrinter:
    """Draws receipts and reports on system printers; every method raises PrintError."""

    def __init__(self, printer_for: PrinterFactory = installed_printer) -> None:
        self.printer_for = printer_for

    def _printer(self, name: str, document: str) -> QPrinter:
        ensure_gui()
        printer = self.printer_for(name)
        printer.setDocName(document)
        printer.setCreator("merchant-pos")
        return printer

    @staticmethod
    def _check(printer: QPrinter, started: bool) -> None:
        if not started or printer.printerState() in (QPrinter.PrinterState.Error,
                                                      QPrinter.PrinterState.Aborted):
            raise PrintError("system_failed")

    def print_lines(self, name: str, lines: list[PrintLine], width: int) -> None:
        """A receipt, slip or test page (the thermal layout's lines) at roll width."""
        printer = self._printer(name, "receipt")
        setup_receipt_page(printer, lines, width)
        self._check(printer, paint_receipt(printer, lines, width))

    def print_report(self, name: str, report: DayReport, language: str = "zh_CN",
                     reconciliation: str | None = None) -> None:
        """The 日结 on A4."""
        printer = self._printer(name, "日结 " + report.first.isoformat())
        paint_report(printer, report, language, reconciliation)
        self._check(printer, True)
