"""The 日结 window on a real ledger: a day with two programs, two clerks, a void, a void of
yesterday's redemption and a time-flagged entry; its tables read back against
build_report; CSV (with a BOM) and PDF exports read back; a date range; printing."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from merchant_pos.domain import CartLine
from merchant_pos.domain.money import format_fen
from merchant_pos.printing.config import PrinterConfig
from merchant_pos.printing.spooler import ReceiptPrinter
from merchant_pos.reports.daily import DayReport, build_report
from merchant_pos.reports.server_state import ServerSnapshot, save_snapshot
from merchant_pos.store import MerchantSettingsStore
from merchant_pos.store.reference import CategoryInfo, ProgramInfo
from merchant_pos.ui.receipt_printing import attach_receipt_printer
from merchant_pos.ui.settlement_dialog import SettlementDialog
from merchant_pos.ui.theme import install_translator, remove_translators
from tests.printing.escpos_parse import parse
from tests.printing.tcp_printer import LoopbackPrinter
from tests.support.codes import DAY, ELDER_MEAL, NOW, claims, make_code
from tests.support.pdf import pdf_text
from tests.ui.conftest import PROGRAMS, Shop

MEALS = ProgramInfo("elder-meal", "长者助餐", "Elderly meals", "Asia/Shanghai", (
    CategoryInfo("meal", "餐食", "Meal"), CategoryInfo("fruit", "水果", "Fruit")))
TODAY = date(2026, 2, 10)  # NOW is 11:00 in Shanghai
YESTERDAY = TODAY - timedelta(days=1)


@pytest.fixture
def chinese() -> Iterator[None]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    install_translator(app, "zh_CN")
    yield
    remove_translators(app)


@pytest.fixture
def day(shop: Shop, chinese: None) -> Shop:
    """Today: baby vouchers by the cashier (one accepted, one voided, one whose stamp is
    before an earlier receipt's), an elderly meal by the supervisor; yesterday's
    redemption voided today (an adjustment)."""
    MerchantSettingsStore(shop.ledger).save_programs([*PROGRAMS, MEALS])
    ops = shop.window.services.operators
    clerk, boss = shop.window.session, ops.sign_in("王主管", "9999")

    def redeem(sub: str, cart: list[CartLine], by: object, prg: str = "jss-baby-2023") -> str:
        rid = str(uuid.uuid4())
        code = make_code(shop.key, claims(sub=sub, prg=prg, ent=ELDER_MEAL)) \
            if prg == "elder-meal" else make_code(shop.key, claims(sub=sub))
        shop.service.redeem(rid, code, cart, by)  # type: ignore[arg-type]
        return rid

    old = redeem("B-SET-OLD", [CartLine("formula", 3000)], clerk)
    accepted = redeem("B-SET-1", [CartLine("formula", 6000), CartLine("diaper", 1000)], clerk)
    voided = redeem("B-SET-2", [CartLine("diaper", 2500)], clerk)
    redeem("B-SET-3", [CartLine("meal", 1500)], boss, "elder-meal")
    shop.clock.advance(-100)  # the clock turned back: this one is time-flagged
    redeem("B-SET-4", [CartLine("formula", 1200)], clerk)
    for rid in (voided, old):
        shop.service.void(rid, void_id=str(uuid.uuid4()), supervisor_name="王主管",
                          supervisor_pin="9999", reason="顾客退货")
    with shop.ledger.write() as session:  # (the ledger voids only on the same day: moved)
        session.execute(text("UPDATE redemptions SET created_at = created_at - :d WHERE id = :i"),
                        {"d": DAY, "i": old})
        session.execute(text("UPDATE redemptions SET status = 'accepted' WHERE id = :i"),
                        {"i": accepted})
        session.execute(text("DELETE FROM outbox WHERE redemption_id = :i"), {"i": accepted})
    return shop


def _open(qtbot: QtBot, shop: Shop) -> SettlementDialog:
    records = shop.window.open_records()
    qtbot.waitUntil(lambda: records.model.rowCount() > 0, timeout=10_000)
    assert "Ctrl+D" in records.settlement_button.text()
    records.activateWindow()
    qtbot.waitUntil(records.isActiveWindow, timeout=10_000)
    qtbot.keyClick(records, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)  # its key
    qtbot.waitUntil(lambda: records.findChild(SettlementDialog) is not None, timeout=10_000)
    dialog = records.findChild(SettlementDialog)
    assert isinstance(dialog, SettlementDialog)
    qtbot.waitUntil(lambda: dialog.settlement is not None, timeout=10_000)
    return dialog


def _assert_tables_match(dialog: SettlementDialog, report: DayReport) -> None:
    model = dialog.totals_model
    groups = {"program": report.by_program, "category": report.by_category,
              "status": report.by_status, "operator": report.by_operator,
              "total": {"": report.totals}}
    for group, rows in groups.items():
        for key, tot in rows.items():
            row = model.row_of(group, key)
            shown = [model.data(model.index(row, c)) for c in range(1, 7)]
            assert shown == [str(tot.count), format_fen(tot.total), format_fen(tot.covered),
                             format_fen(tot.paid), format_fen(tot.reimbursable),
                             format_fen(tot.awaiting)], (group, key)
    adj = dialog.adjustments_model
    assert [r[1] for r in adj.rows] == [a.receipt_no for a in report.adjustments]
    assert [r[3] for r in adj.rows] == [format_fen(-a.covered) for a in report.adjustments]
    assert [r[1] for r in dialog.time_model.rows] == [e.receipt_no for e in report.time_flagged]
    assert format_fen(report.net_reimbursable) in dialog.headline.text()
    assert format_fen(report.net_reimbursable) in dialog.net.text()


def test_the_days_settlement_on_screen_matches_the_report(qtbot: QtBot, day: Shop) -> None:
    save_snapshot(day.ledger, ServerSnapshot(TODAY, NOW, {}, None))  # the server had none
    dialog = _open(qtbot, day)
    report = build_report(day.ledger, TODAY)
    # The day is what the test needs: two programs, two clerks, a void, an adjustment.
    assert set(report.by_program) == {"jss-baby-2023", "elder-meal"}
    assert set(report.by_operator) == {"李收银", "王主管"}
    assert report.by_status["voided"].count == 1 and report.by_status["accepted"].count == 1
    assert len(report.adjustments) == 1 and len(report.time_flagged) == 1
    assert dialog.chosen_days() == (TODAY, TODAY)
    _assert_tables_match(dialog, report)
    model = dialog.totals_model
    assert model.data(model.index(model.row_of("program", "elder-meal"), 0)).strip() == "长者助餐"
    assert model.data(model.index(model.row_of("status", "voided"), 0)).strip() == "已撤销"
    # Compared with the server (which listed nothing): every entry named as missing there.
    assert "对账有差异" in dialog.reconciliation.text()
    assert dialog.reconciliation.text().count("服务器没有") == len(report.entries)


def test_csv_and_pdf_exports_carry_the_figures(qtbot: QtBot, day: Shop, tmp_path: Path) -> None:
    dialog = _open(qtbot, day)
    report = build_report(day.ledger, TODAY)
    path = tmp_path / "日结.csv"
    with qtbot.waitSignal(dialog.exported, timeout=10_000) as sig:
        dialog.export_csv(str(path))
    assert sig.args == [str(path)] and str(path) in dialog.message.text()
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    program_rows = {r[1]: r for r in rows if r and r[0] == "按项目"}
    for key, tot in report.by_program.items():
        row = program_rows[report.program_name(key)]
        assert int(row[2]) == tot.count
        assert round(float(row[4]) * 100) == tot.covered  # covered, in yuan
        assert row[4] in model_text(dialog, "program", key, 3).replace(",", "")
    net = next(r for r in rows if r and r[0] == "调整后应结算")
    assert round(float(net[3]) * 100) == report.net_reimbursable

    pdf = tmp_path / "日结.pdf"
    with qtbot.waitSignal(dialog.exported, timeout=30_000):
        dialog.export_pdf(str(pdf))
    out = pdf_text(pdf)
    assert "日结报表" in out and "长者助餐" in out and "母婴补助" in out
    for tot in report.by_program.values():
        assert f"¥{tot.covered // 100:,}.{tot.covered % 100:02d}" in out
    assert "尚未对账" in out  # the state on screen, in the PDF too

    with qtbot.waitSignal(dialog.exported, timeout=10_000):
        dialog.export_csv(str(tmp_path / "no-such-folder" / "x.csv"))
    assert "无法写入" in dialog.message.text() or "Could not write" in dialog.message.text()


def model_text(dialog: SettlementDialog, group: str, key: str, column: int) -> str:
    model = dialog.totals_model
    return str(model.data(model.index(model.row_of(group, key), column)))


def test_a_date_range_and_printing_the_settlement(qtbot: QtBot, day: Shop) -> None:
    printer = LoopbackPrinter().start()
    try:
        attach_receipt_printer(day.window, printer=ReceiptPrinter(
            day.ledger, config=lambda: PrinterConfig(target=printer.target, auto_print=False)))
        dialog = _open(qtbot, day)
        with qtbot.waitSignal(dialog.loaded, timeout=10_000):
            dialog.first.setDate(dialog.first.date().addDays(-1))  # yesterday alone
        only = build_report(day.ledger, YESTERDAY)
        assert only.totals.count == 0 and only.by_status["voided"].count == 1
        _assert_tables_match(dialog, only)
        with qtbot.waitSignal(dialog.loaded, timeout=10_000):
            dialog.range.setChecked(True)
        with qtbot.waitSignal(dialog.loaded, timeout=10_000):
            dialog.last.setDate(dialog.last.date().addDays(1))
        assert dialog.chosen_days() == (YESTERDAY, TODAY)
        both = build_report(day.ledger, YESTERDAY, TODAY)
        # Over both days yesterday's redemption is simply voided, not an adjustment.
        assert both.adjustments == () and both.by_status["voided"].count == 2
        _assert_tables_match(dialog, both)
        assert "至" in dialog.headline.text() and "2 天" in dialog.reconciliation.text()
        with qtbot.waitSignal(dialog.exported, timeout=30_000):
            dialog.print_button.click()
        assert dialog.message.text() == dialog.tr("The settlement was sent to the printer")
        qtbot.waitUntil(lambda: len(printer.jobs) == 1, timeout=10_000)  # the listener's read
        (job,) = printer.jobs
        slip = parse(job[3:-3]).text
        assert "结算报表" in slip and "长者助餐" in slip
    finally:
        printer.stop()
