"""The settings screen's printer page: what kind of printer (a thermal printer spoken to
in ESC/POS, or a system printer with its own driver), where it is, roll width,
auto-print on confirm, cash-drawer kick, receipt language, and a test print.

The system's printers are listed off the UI thread (a CUPS or Windows lookup can wait
on the network); ``printers_listed`` says when the list is there."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from merchant_pos.printing.config import AUTO_PRINT, DRAWER_KICK, LANGUAGE, TARGET, WIDTH
from merchant_pos.printing.sample import print_sample
from merchant_pos.printing.targets import SYSTEM_PREFIX, PrintError, Target
from merchant_pos.store.settings import Setting, SettingsSnapshot, SettingValue
from merchant_pos.ui.settings.page import SettingsPage, changed_values
from merchant_pos.ui.system_printer import SystemPrinter, available_printers, system_target
from merchant_pos.ui.tasks import BackgroundTasks

if TYPE_CHECKING:
    from merchant_pos.ui.counter_window import CounterServices


ESCPOS, SYSTEM = "escpos", "system"


class PrinterPage(SettingsPage):
    printers_listed = Signal(list)  # the system's printer names, once looked up

    def __init__(self, language: str = "zh_CN", parent: QWidget | None = None, *,
                 system: SystemPrinter | None = None,
                 list_printers: Callable[[], list[str]] = available_printers) -> None:
        super().__init__(parent)
        self.language = language
        self.tasks = BackgroundTasks(self)
        self.system = system or SystemPrinter()
        self.snapshot = SettingsSnapshot()
        self.kind = QComboBox()
        self.kind.addItem(self.tr("Receipt printer (ESC/POS: network, USB, serial, file)"),
                          ESCPOS)
        self.kind.addItem(self.tr("System printer (its own driver, no dialog)"), SYSTEM)
        self.kind.currentIndexChanged.connect(lambda _i: self._show_kind())
        self.system_name = QComboBox()
        self.system_name.setPlaceholderText(self.tr("Looking for printers…"))
        self._wanted_name = ""  # the stored system printer, selected once the list is there
        self._names: list[str] | None = None  # the system's printers, once listed
        self.target = QLineEdit()
        self.target.setPlaceholderText("tcp://192.168.1.50:9100")
        self.target.setToolTip(self.tr(
            "Network: tcp://address:9100 · USB: usb://0416:5011 · serial: serial:///dev/ttyUSB0"
            "?baud=9600 or serial://COM3 · Windows printer: win32://POS-58 · file: file:///path"))
        self.paper = QComboBox()
        self.paper.addItem(self.tr("58 mm (32 columns)"), 58)
        self.paper.addItem(self.tr("80 mm (48 columns)"), 80)
        self.auto_print = QCheckBox(self.tr("Print the receipt when a redemption is confirmed"))
        self.drawer = QCheckBox(self.tr("Open the cash drawer after a receipt"))
        self.receipt_language = QComboBox()
        self.receipt_language.addItem("中文", "zh_CN")
        self.receipt_language.addItem("English", "en")
        self.test_button = QPushButton(self.tr("Test print"))
        self.test_button.clicked.connect(self.test_print)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.form = form = QFormLayout(self)
        form.addRow(self.tr("Kind"), self.kind)
        form.addRow(self.tr("Printer"), self.target)
        form.addRow(self.tr("System printer"), self.system_name)
        form.addRow(self.tr("Paper"), self.paper)
        form.addRow(self.auto_print)
        form.addRow(self.drawer)
        form.addRow(self.tr("Receipt language"), self.receipt_language)
        form.addRow(self.test_button, self.result)
        self._show_kind()
        self.tasks.run(list_printers, self._listed, lambda _exc: self._listed([]))

    def _listed(self, names: list[str]) -> None:
        self._names = list(names)
        self._fill()
        self.printers_listed.emit(list(names))

    def _fill(self) -> None:
        names, wanted = self._names or [], self._wanted_name
        self.system_name.clear()
        for name in names:
            self.system_name.addItem(name, name)
        if wanted and wanted not in names:  # stored, but not installed now: keep it, say so
            self.system_name.addItem(self.tr("{0} (not found)").format(wanted), wanted)
        if self._names is not None and not names and not wanted:
            self.system_name.setPlaceholderText(self.tr("No system printers found"))
        found = self.system_name.findData(wanted) if wanted else -1
        self.system_name.setCurrentIndex(found if found >= 0 else
                                         (0 if self.system_name.count() else -1))

    def _is_system(self) -> bool:
        return bool(self.kind.currentData() == SYSTEM)

    def _show_kind(self) -> None:
        system = self._is_system()
        self.form.setRowVisible(self.target, not system)
        self.form.setRowVisible(self.system_name, system)
        self.form.setRowVisible(self.drawer, not system)  # a driver opens no drawer

    def title(self) -> str:
        return self.tr("Printer")

    def target_text(self) -> str:
        """The target as it would be saved."""
        if self._is_system():
            name = self.system_name.currentData() if self._names is not None \
                else self._wanted_name  # not listed yet: what was stored
            return system_target(str(name)) if name else ""
        return self.target.text().strip()

    def load(self, snapshot: SettingsSnapshot) -> None:
        self.snapshot = snapshot
        stored = snapshot.get(TARGET)
        system = stored.lower().startswith(SYSTEM_PREFIX)
        self.kind.setCurrentIndex(self.kind.findData(SYSTEM if system else ESCPOS))
        self._wanted_name = stored[len(SYSTEM_PREFIX):] if system else ""
        self.target.setText("" if system else stored)
        self._fill()
        self.paper.setCurrentIndex(max(0, self.paper.findData(snapshot.get(WIDTH))))
        self.auto_print.setChecked(snapshot.get(AUTO_PRINT))
        self.drawer.setChecked(snapshot.get(DRAWER_KICK))
        self.receipt_language.setCurrentIndex(
            max(0, self.receipt_language.findData(snapshot.get(LANGUAGE))))

    def wanted(self) -> dict[Setting[SettingValue], SettingValue]:
        return {TARGET: self.target_text(), WIDTH: int(self.paper.currentData()),
                AUTO_PRINT: self.auto_print.isChecked(), DRAWER_KICK: self.drawer.isChecked(),
                LANGUAGE: str(self.receipt_language.currentData())}

    def changes(self) -> dict[Setting[SettingValue], SettingValue]:
        return changed_values(self.snapshot, self.wanted())

    def problem(self) -> str | None:
        if self._is_system() and not self.target_text():
            return self.tr("Choose a system printer (none is installed on this computer)")
        target = self.target_text()
        if not target:
            return None  # no printer: receipts are queued and can be reprinted
        try:
            Target.parse(target)
        except PrintError as exc:
            return exc.message(self.language)
        return None

    def first_field(self) -> QWidget | None:
        return self.kind

    def test_print(self) -> None:
        """Print the sample slip to the printer as entered (not yet saved), off the UI
        thread; the outcome shows beside the button."""
        problem = self.problem()
        target = self.target_text()
        if problem or not target:
            self.result.setText(problem or self.tr("Enter the printer's address first"))
            return
        width = 48 if self.paper.currentData() == 80 else 32
        drawer, language = self.drawer.isChecked(), str(self.receipt_language.currentData())
        self.test_button.setEnabled(False)
        self.result.setText(self.tr("Printing…"))

        def done(_none: object) -> None:
            self.test_button.setEnabled(True)
            self.result.setText(self.tr("Test page sent to the printer."))

        def failed(exc: BaseException) -> None:
            self.test_button.setEnabled(True)
            self.result.setText(exc.message(self.language) if isinstance(exc, PrintError)
                                else str(exc))

        system = self.system.print_lines
        self.tasks.run(lambda: print_sample(target, width, drawer=drawer, language=language,
                                            system=system), done, failed)


def printer_page(services: CounterServices) -> SettingsPage:
    return PrinterPage(services.language)
