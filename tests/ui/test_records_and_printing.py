"""The records screen (day filter, search, dates on older rows, reprint, void slip) and the
automatic receipt on confirm, printed to a loopback network printer with no dialog."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QItemSelectionModel
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from merchant_pos.domain import CartLine
from merchant_pos.printing.config import PrinterConfig
from merchant_pos.printing.spooler import ReceiptPrinter
from merchant_pos.scan.classify import ScanSource, classify
from merchant_pos.ui.receipt_printing import ReceiptPrinting, attach_receipt_printer
from merchant_pos.ui.system_printer import SystemPrinter
from tests.printing.escpos_parse import parse
from tests.printing.tcp_printer import LoopbackPrinter
from tests.support.codes import DAY, claims, make_code
from tests.support.pdf import PdfPrinters, page_size_mm, pdf_text
from tests.ui.conftest import Shop


@pytest.fixture
def printer() -> Iterator[LoopbackPrinter]:
    p = LoopbackPrinter().start()
    yield p
    p.stop()


def _attach(shop: Shop, target: str, auto: bool = True) -> ReceiptPrinting:
    return attach_receipt_printer(shop.window, printer=ReceiptPrinter(
        shop.ledger, config=lambda: PrinterConfig(target=target, auto_print=auto)))


def _confirm(shop: Shop, qtbot: QtBot, sub: str, price: str) -> str:
    w = shop.window
    with qtbot.waitSignal(w.quoted, timeout=10_000):
        w.on_scan(classify(make_code(shop.key, claims(sub=sub)), ScanSource.SCANNER))
    w.entry.select_category("formula")
    with qtbot.waitSignal(w.quoted, timeout=10_000):
        w.entry.amount.setText(price)
        w.entry.amount.returnPressed.emit()
    with qtbot.waitSignal(w.redeemed, timeout=10_000) as sig:
        w.confirm_redemption()
    return str(sig.args[0].redemption_id)


def _jobs_text(printer: LoopbackPrinter) -> list[str]:
    return [parse(data[3:-3]).text for data in printer.jobs]


def test_confirm_prints_the_receipt_without_a_dialog(shop: Shop, qtbot: QtBot,
                                                     printer: LoopbackPrinter) -> None:
    bridge = _attach(shop, printer.target)
    with qtbot.waitSignal(bridge.notice, timeout=30_000):
        _confirm(shop, qtbot, "B-UI-PRINT", "60")
    assert bridge.last is not None and bridge.last.printed
    assert not [w for w in shop.window.findChildren(QDialog) if w.isVisible()]
    (text,) = _jobs_text(printer)
    assert "好孩子母婴店" in text and "￥60.00" in text and "待上传" in text


def test_a_dead_printer_warns_the_clerk_and_keeps_the_redemption(shop: Shop,
                                                                  qtbot: QtBot) -> None:
    dead = LoopbackPrinter().start()
    dead.stop()  # nobody listens on that port any more
    bridge = _attach(shop, dead.target)
    with qtbot.waitSignal(bridge.notice, timeout=30_000):
        rid = _confirm(shop, qtbot, "B-UI-DEAD", "30")
    assert shop.service.receipt(rid) is not None
    assert shop.window.message.property("kind") == "nothing"  # the banner's warning look
    assert "已排队" in shop.window.message.text()


def test_auto_print_off_prints_nothing(shop: Shop, qtbot: QtBot,
                                       printer: LoopbackPrinter) -> None:
    bridge = _attach(shop, printer.target, auto=False)
    _confirm(shop, qtbot, "B-UI-NOAUTO", "20")
    bridge.printer.stop()  # drains the wish: nothing to print
    assert bridge.printer.run_pending() == [] and printer.jobs == []


def test_records_filter_search_dates_reprint_and_void_slip(shop: Shop, qtbot: QtBot,
                                                           printer: LoopbackPrinter) -> None:
    # A redemption of yesterday (moved there in the file: the session stays signed in).
    old = str(uuid.uuid4())
    shop.service.redeem(old, make_code(shop.key, claims(sub="B-UI-OLD-77")),
                        [CartLine("formula", 4000)], shop.window.session)
    with shop.ledger.write() as session:
        session.execute(text("UPDATE redemptions SET created_at = created_at - :d WHERE id = :i"),
                        {"d": DAY, "i": old})
    bridge = _attach(shop, printer.target)
    with qtbot.waitSignal(bridge.notice, timeout=30_000):
        today_id = _confirm(shop, qtbot, "B-UI-TODAY", "50")
    dialog = shop.window.open_records()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=10_000)
    assert dialog.model.receipts[0].redemption_id == today_id
    assert len(dialog.model.data(dialog.model.index(0, 0))) == 5  # today: HH:MM only
    assert "¥50.00" in dialog.summary.text()

    yesterday = date.fromisoformat(dialog.selected_day().isoformat()).toordinal() - 1
    y = date.fromordinal(yesterday)
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        dialog.day.setDate(QDate(y.year, y.month, y.day))
    assert [r.redemption_id for r in dialog.model.receipts] == [old]
    assert dialog.model.data(dialog.model.index(0, 0)).startswith(y.isoformat())
    assert "¥40.00" in dialog.summary.text()

    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        dialog.search.setText("ui-old")  # part of a beneficiary id, any day, any case
        dialog.search.returnPressed.emit()
    assert [r.redemption_id for r in dialog.model.receipts] == [old]
    number = shop.service.receipt(today_id).receipt_no  # type: ignore[union-attr]
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        dialog.search.setText(number)
        dialog.search.returnPressed.emit()
    assert [r.redemption_id for r in dialog.model.receipts] == [today_id]

    dialog.table.selectionModel().select(
        dialog.model.index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
        | QItemSelectionModel.SelectionFlag.Rows)
    with qtbot.waitSignal(bridge.notice, timeout=30_000):
        dialog.reprint_selected()
    with qtbot.waitSignal(bridge.notice, timeout=30_000):
        dialog.void(dialog.model.receipts[0], "王主管", "9999", "顾客退货")
    qtbot.waitUntil(lambda: len(printer.jobs) == 3, timeout=10_000)
    first, copy, void = _jobs_text(printer)
    assert "重印 COPY" not in first and "重印 COPY" in copy and "撤销凭条" in void
    dialog.close()


def test_a_system_printer_gets_the_receipt_on_confirm_and_the_days_report(
        shop: Shop, qtbot: QtBot, tmp_path: Path) -> None:
    pdfs = PdfPrinters(tmp_path)
    bridge = attach_receipt_printer(
        shop.window, system=SystemPrinter(pdfs), printer=ReceiptPrinter(
            shop.ledger, config=lambda: PrinterConfig(target="system://XP-80", width_mm=80)))
    with qtbot.waitSignal(bridge.notice, timeout=30_000):  # drawn on the printer's thread
        _confirm(shop, qtbot, "B-UI-SYSTEM", "60")
    assert bridge.last is not None and bridge.last.printed
    assert not [w for w in shop.window.findChildren(QDialog) if w.isVisible()]
    (receipt,) = pdfs.files
    assert round(page_size_mm(receipt)[0]) == 80
    assert "好孩子母婴店" in pdf_text(receipt) and "¥60.00" in pdf_text(receipt)

    dialog = shop.window.open_records()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=10_000)
    with qtbot.waitSignal(dialog.changed, timeout=30_000):
        dialog.report_button.click()
    day = dialog.selected_day().isoformat()
    assert dialog.message.text() == f"The settlement of {day} was sent to the printer"
    report = pdfs.files[1]
    assert [round(x) for x in page_size_mm(report)] == [210, 297]
    assert "日结报表" in pdf_text(report) and "¥60.00" in pdf_text(report)

    bridge.printer.config = lambda: PrinterConfig(target="system://Gone")  # unplugged
    bridge.system.printer_for = SystemPrinter().printer_for
    with qtbot.waitSignal(dialog.changed, timeout=30_000):
        dialog.report_button.click()
    assert dialog.message.text() == "找不到系统打印机“Gone”"
    dialog.close()


def test_the_receipt_windows_print_button_reprints_without_a_dialog(
        shop: Shop, qtbot: QtBot, printer: LoopbackPrinter) -> None:
    bridge = _attach(shop, printer.target)
    with qtbot.waitSignal(bridge.notice, timeout=30_000):
        _confirm(shop, qtbot, "B-UI-AGAIN", "35")
    receipt_window = shop.window.show_receipt()
    assert receipt_window is not None
    with qtbot.waitSignal(bridge.notice, timeout=30_000):
        receipt_window.print_button.click()  # type: ignore[attr-defined]
    assert receipt_window.print_button.text() == "Sent to the printer"  # type: ignore[attr-defined]
    assert [w for w in shop.window.findChildren(QDialog) if w.isVisible()] == [receipt_window]
    qtbot.waitUntil(lambda: len(printer.jobs) == 2, timeout=10_000)
    first, again = _jobs_text(printer)
    assert "重印 COPY" not in first and "重印 COPY" in again and "￥35.00" in again
    receipt_window.close()
