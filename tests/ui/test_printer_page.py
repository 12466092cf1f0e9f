"""The printer page of the settings screen: load, validate, save, test print."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from merchant_pos.printing.config import AUTO_PRINT, TARGET, WIDTH, load_config
from merchant_pos.store.settings import CounterSettings
from merchant_pos.ui.printer_page import PrinterPage
from merchant_pos.ui.settings.dialog import SettingsDialog
from tests.printing.escpos_parse import parse
from tests.printing.tcp_printer import LoopbackPrinter
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
