"""The settings screen's printer page: where the receipt printer is, roll width,
auto-print on confirm, cash-drawer kick, receipt language, and a test print."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
from merchant_pos.printing.targets import PrintError, Target
from merchant_pos.store.settings import Setting, SettingsSnapshot, SettingValue
from merchant_pos.ui.settings.page import SettingsPage, changed_values
from merchant_pos.ui.tasks import BackgroundTasks

if TYPE_CHECKING:
    from merchant_pos.ui.counter_window import CounterServices


class PrinterPage(SettingsPage):
    def __init__(self, language: str = "zh_CN", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.language = language
        self.tasks = BackgroundTasks(self)
        self.snapshot = SettingsSnapshot()
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
        form = QFormLayout(self)
        form.addRow(self.tr("Printer"), self.target)
        form.addRow(self.tr("Paper"), self.paper)
        form.addRow(self.auto_print)
        form.addRow(self.drawer)
        form.addRow(self.tr("Receipt language"), self.receipt_language)
        form.addRow(self.test_button, self.result)

    def title(self) -> str:
        return self.tr("Printer")

    def load(self, snapshot: SettingsSnapshot) -> None:
        self.snapshot = snapshot
        self.target.setText(snapshot.get(TARGET))
        self.paper.setCurrentIndex(max(0, self.paper.findData(snapshot.get(WIDTH))))
        self.auto_print.setChecked(snapshot.get(AUTO_PRINT))
        self.drawer.setChecked(snapshot.get(DRAWER_KICK))
        self.receipt_language.setCurrentIndex(
            max(0, self.receipt_language.findData(snapshot.get(LANGUAGE))))

    def wanted(self) -> dict[Setting[SettingValue], SettingValue]:
        return {TARGET: self.target.text().strip(), WIDTH: int(self.paper.currentData()),
                AUTO_PRINT: self.auto_print.isChecked(), DRAWER_KICK: self.drawer.isChecked(),
                LANGUAGE: str(self.receipt_language.currentData())}

    def changes(self) -> dict[Setting[SettingValue], SettingValue]:
        return changed_values(self.snapshot, self.wanted())

    def problem(self) -> str | None:
        target = self.target.text().strip()
        if not target:
            return None  # no printer: receipts are queued and can be reprinted
        try:
            Target.parse(target)
        except PrintError as exc:
            return exc.message(self.language)
        return None

    def first_field(self) -> QWidget | None:
        return self.target

    def test_print(self) -> None:
        """Print the sample slip to the printer as entered (not yet saved), off the UI
        thread; the outcome shows beside the button."""
        problem = self.problem()
        target = self.target.text().strip()
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

        self.tasks.run(lambda: print_sample(target, width, drawer=drawer, language=language),
                       done, failed)


def printer_page(services: CounterServices) -> SettingsPage:
    return PrinterPage(services.language)
