"""The printer page of the settings screen: load, validate, save, test print."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from merchant_pos.printing.config import AUTO_PRINT, TARGET, WIDTH, load_config
from merchant_pos.store.settings import CounterSettings
from merchant_pos.ui.printer_page import PrinterPage
from merchant_pos.ui.settings.dialog import SettingsDialog
from merchant_pos.ui.system_printer import SystemPrinter, available_printers
from tests.printing.escpos_parse import parse
from tests.printing.tcp_printer import LoopbackPrinter
from tests.support.pdf import PdfPrinters, pdf_text
from tests.ui.conftest import Shop


def test_printer_page_saves_through_the_settings_screen(qtbot: QtBot, shop: Shop) -> None:
    controller = shop.window.settings
    controller.session = shop.window.services.operators.sign_in("王主管", "9999")
    controller.open()
    qtbot.waitUntil(lambda: isinstance(controller.dialog, SettingsDialog))
    dialog = controller.dialog
    assert isinstance(dialog, SettingsDialog)
    page = next(p for p in dialog.pages if isinstance(p, PrinterPage))
    assert page.title() == "Printer" and page.auto_print.isChecked()  # auto-print by default
    page.target.setText("ftp://nonsense")
    dialog.accept()
    assert dialog.isVisible() and "打印机地址无效" in dialog.error.text()
    page.target.setText("tcp://192.168.1.50:9100")
    page.paper.setCurrentIndex(page.paper.findData(80))
    page.auto_print.setChecked(False)
    with qtbot.waitSignal(shop.window.settings_changed, timeout=10_000) as applied:
        dialog.accept()
    assert sorted(applied.args[0]) == ["printer.auto_print", "printer.target",
                                       "printer.width_mm"]
    config = load_config(shop.ledger)
    assert (config.target, config.width_mm, config.auto_print, config.columns) == \
        ("tcp://192.168.1.50:9100", 80, False, 48)
    stored = CounterSettings(shop.ledger)
    assert stored.get(TARGET) == "tcp://192.168.1.50:9100" and stored.get(WIDTH) == 80
    assert stored.get(AUTO_PRINT) is False


def test_test_print_reaches_the_printer_and_failures_are_told(qtbot: QtBot, shop: Shop) -> None:
    page = PrinterPage("zh_CN")
    qtbot.addWidget(page)
    printer = LoopbackPrinter().start()
    try:
        page.target.setText(printer.target)
        page.test_print()
        qtbot.waitUntil(lambda: page.test_button.isEnabled(), timeout=30_000)
        assert page.result.text() == "Test page sent to the printer."
    finally:
        printer.stop()
    roll = parse(printer.jobs[0][3:-3])
    assert "打印测试" in roll.text and "￥12.34" in roll.text and roll.qr == ["TEST"]
    assert "12345678901234567890123456789012" in roll.lines and roll.cuts == 1
    page.test_print()  # that printer is gone now
    qtbot.waitUntil(lambda: page.test_button.isEnabled(), timeout=30_000)
    assert page.result.text() == "打印机未连接"


def test_the_systems_printers_are_listed_and_none_found_is_said(qtbot: QtBot,
                                                                shop: Shop) -> None:
    real = PrinterPage("en")  # this machine's own list (QPrinterInfo; CUPS here)
    qtbot.addWidget(real)
    with qtbot.waitSignal(real.printers_listed, timeout=10_000) as listed:
        pass
    assert listed.args[0] == available_printers()
    assert [real.system_name.itemData(i) for i in range(real.system_name.count())] == \
        available_printers()

    page = PrinterPage("en", list_printers=lambda: [])  # a computer without printers
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.printers_listed, timeout=10_000):
        pass
    page.kind.setCurrentIndex(page.kind.findData("system"))
    assert page.system_name.count() == 0
    assert page.system_name.placeholderText() == "No system printers found"
    assert page.problem() == "Choose a system printer (none is installed on this computer)"
    assert page.target_text() == ""


def test_a_system_printer_is_chosen_saved_and_test_printed(qtbot: QtBot, shop: Shop,
                                                           tmp_path: Path) -> None:
    pdfs = PdfPrinters(tmp_path)
    page = PrinterPage("zh_CN", system=SystemPrinter(pdfs),
                       list_printers=lambda: ["Office A4", "XP-58 (USB)"])
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.printers_listed, timeout=10_000):  # listed off the UI thread
        page.show()
    assert page.system_name.count() == 2
    snapshot = CounterSettings(shop.ledger).snapshot()
    page.load(snapshot)
    assert not page.system_name.isVisible() and page.target.isVisible()
    page.kind.setCurrentIndex(page.kind.findData("system"))
    assert page.system_name.isVisible() and not page.target.isVisible()
    assert not page.drawer.isVisible()  # a driver opens no drawer
    page.system_name.setCurrentIndex(page.system_name.findData("XP-58 (USB)"))
    assert page.problem() is None
    assert page.changes()[TARGET] == "system://XP-58 (USB)"

    page.test_print()
    qtbot.waitUntil(lambda: page.test_button.isEnabled(), timeout=30_000)
    assert page.result.text() == "Test page sent to the printer."
    assert pdfs.names == ["XP-58 (USB)"]
    assert "打印测试" in pdf_text(pdfs.files[0])

    # Saved, then the printer is unplugged: the page keeps the choice and says so.
    CounterSettings(shop.ledger).update({TARGET: "system://XP-58 (USB)"}, operator_id=None)
    gone = PrinterPage("zh_CN", list_printers=lambda: ["Office A4"])
    qtbot.addWidget(gone)
    gone.load(CounterSettings(shop.ledger).snapshot())
    assert gone.target_text() == "system://XP-58 (USB)"  # not listed yet: the stored one
    qtbot.waitUntil(lambda: gone.system_name.count() == 2, timeout=10_000)
    assert gone.system_name.currentText() == "XP-58 (USB) (not found)"
    assert gone.changes() == {}
