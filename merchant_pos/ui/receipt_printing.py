"""The counter's receipt printer: after every confirmed redemption the receipt goes to the
thermal printer (or a system printer, ``system://NAME``) on its own worker thread, with no
dialog; the clerk is told how it went. The records screen's 日结 goes to the same printer
(a slip on a roll, A4 pages on a system printer).

Hooked onto the counter window's ``redeemed`` signal (one call in the app's wiring:
``attach_receipt_printer(window)``); the records screen reprints and prints void
slips through the same object (``services.extras["receipt_printer"]``).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from merchant_pos.printing.output import print_lines
from merchant_pos.printing.spooler import PrintNotice, ReceiptPrinter
from merchant_pos.printing.targets import Target
from merchant_pos.reports.daily import build_report
from merchant_pos.reports.reconcile import reconciled_state
from merchant_pos.reports.slip import report_lines
from merchant_pos.ui.system_printer import SystemPrinter

if TYPE_CHECKING:
    from merchant_pos.store.redemptions import Receipt
    from merchant_pos.ui.counter_window import CounterWindow

EXTRAS_KEY = "receipt_printer"


class ReceiptPrinting(QObject):
    """Bridges the worker's notices to the UI thread (a queued signal)."""

    notice = Signal(object)  # PrintNotice, emitted on the printer's worker thread

    def __init__(self, printer: ReceiptPrinter, language: str,
                 parent: QObject | None = None, system: SystemPrinter | None = None) -> None:
        super().__init__(parent)
        self.printer = printer
        self.language = language
        self.system = system or SystemPrinter()
        if printer.system is None:
            printer.system = self.system.print_lines
        self.last: PrintNotice | None = None

    def reprint(self, redemption_id: str) -> None:
        self.printer.print_receipt(redemption_id, copy=True)

    def print_void(self, redemption_id: str) -> None:
        self.printer.print_void(redemption_id, on_confirm=True)

    def print_day_report(self, day: date) -> None:
        """The 日结 of ``day`` on the receipt printer, now (call it off the UI thread):
        A4 pages on a system printer, the summary slip on a roll. Raises PrintError."""
        printer, lang = self.printer, self.language
        config = printer.config()
        target = Target.parse(config.target)
        report = build_report(printer.ledger, day, language=lang)
        state = reconciled_state(printer.ledger, day)
        if target.scheme == "system":
            self.system.print_report(target.address, report, lang, state)
            return
        print_lines(target, report_lines(report, config.columns, lang, reconciliation=state),
                    config.columns, timeout=printer.timeout)

    def stop(self) -> None:
        self.printer.stop()


def attach_receipt_printer(window: CounterWindow, *, printer: ReceiptPrinter | None = None,
                           system: SystemPrinter | None = None) -> ReceiptPrinting:
    """Print each confirmed redemption's receipt (when auto-print is on) and show the
    outcome in the window's message line."""
    services = window.services
    bridge = ReceiptPrinting(printer or ReceiptPrinter(services.redemptions.ledger),
                             services.language, window, system)
    bridge.printer.notify = bridge.notice.emit

    def redeemed(receipt: Receipt) -> None:
        bridge.printer.print_receipt(receipt.redemption_id, on_confirm=True)

    def told(notice: PrintNotice) -> None:
        bridge.last = notice
        if not notice.printed:  # a printed receipt needs no words; a failed one does
            window.show_message(notice.message(bridge.language), "warning")

    window.redeemed.connect(redeemed)
    bridge.notice.connect(told)
    window.destroyed.connect(lambda *_: bridge.printer.stop())
    services.extras[EXTRAS_KEY] = bridge
    bridge.printer.start()
    return bridge
