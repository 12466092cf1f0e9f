"""Staff, sign-in and the lock screen on real windows and a real ledger."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget
from pytestqt.qtbot import QtBot

from merchant_pos.domain.issuing import IssuerKey
from merchant_pos.domain.quote import CartLine
from merchant_pos.scan.classify import ScanSource, classify
from merchant_pos.store import (
    Ledger,
    LedgerError,
    MerchantSettingsStore,
    OperatorRegistry,
    RedemptionService,
)
from merchant_pos.store.staff import SYNCED_POLICIES, StaffManager
from merchant_pos.store.sync_state import SyncStateStore
from merchant_pos.ui.counter_window import CounterServices, CounterWindow
from merchant_pos.ui.labels import Labels
from merchant_pos.ui.records_dialog import RecordsDialog
from merchant_pos.ui.staff_dialog import AccountUnlockDialog, StaffDialog
from tests.store.conftest import BABY_SHOP, FAST_PINS, FakeClock, configure
from tests.support.codes import NOW, claims, make_code
from tests.ui.conftest import PROGRAMS

BOSS, BOSS_PIN, CASHIER, CASHIER_PIN = "王主管", "2791", "李收银", "3658"


@dataclass
class Counter:
    ledger: Ledger
    clock: FakeClock
    key: IssuerKey
    staff: StaffManager
    window: CounterWindow


@pytest.fixture
def counter(qtbot: QtBot, tmp_path: Path, shop_key: IssuerKey) -> Iterator[Counter]:
    clock = FakeClock(NOW)
    with Ledger.open(tmp_path / "data", clock=clock) as ledger:
        configure(ledger, shop_key)
        MerchantSettingsStore(ledger).save_programs(PROGRAMS)
        SyncStateStore(ledger).set_setting(SYNCED_POLICIES, {"idle_lock_minutes": 5})
        operators = OperatorRegistry(ledger, hasher=FAST_PINS)
        staff = StaffManager(operators)
        staff.create_first_supervisor(BOSS, BOSS_PIN)
        services = CounterServices(RedemptionService(ledger, operators), operators, BABY_SHOP,
                                   Labels(PROGRAMS, "en"), "en",
                                   extras={"show_receipts": False, "staff": staff})
        # Closed below, not by qtbot: a language switch deletes it and opens another.
        window = CounterWindow(services, operators.sign_in(BOSS, BOSS_PIN))
        window.resize(1280, 800)
        window.show()
        c = Counter(ledger, clock, shop_key, staff, window)
        yield c
        for opened in (window, c.window):  # a language switch replaces the window
            if shiboken6.isValid(opened):
                opened.close()
                opened.deleteLater()  # as qtbot would: its dialogs go with it


def _scan(c: Counter, qtbot: QtBot, text: str) -> None:
    with qtbot.waitSignal(c.window.quoted, timeout=10_000):
        c.window.on_scan(classify(text, ScanSource.SCANNER))


def _add_cashier(c: Counter, qtbot: QtBot) -> StaffDialog:
    dialog = StaffDialog(c.staff, c.window.session.operator, "en", c.window)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=10_000)
    new = dialog.add()
    new.name.setText(CASHIER)
    new.pin.setText("1234")
    new.pin_again.setText("1234")
    new.accept()
    qtbot.waitUntil(lambda: bool(new.error.text()), timeout=10_000)
    assert "too easy to guess" in new.error.text()
    old = new.error.text()
    new.pin.setText(CASHIER_PIN)
    new.pin_again.setText(CASHIER_PIN)
    new.accept()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2 or bool(new.error.text() != old),
                    timeout=10_000)
    assert dialog.table.rowCount() == 2, new.error.text()
    names = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert names == [BOSS, CASHIER]
    return dialog


def _sign_in_on_lock_screen(c: Counter, qtbot: QtBot, name: str, pin: str) -> str:
    screen = c.window.locker.screen
    qtbot.waitUntil(lambda: screen.operator.findText(name) >= 0, timeout=10_000)
    screen.operator.setCurrentText(name)
    screen.pin.setText(pin)
    before = screen.message.text()
    screen.unlock_button.click()
    qtbot.waitUntil(lambda: not c.window.locker.locked or screen.message.text() != before
                    or (screen.unlock_button.isEnabled() and screen.pin.text() == ""),
                    timeout=10_000)
    return screen.message.text()


def test_supervisor_adds_a_cashier_who_redeems_and_cannot_void(counter: Counter,
                                                                qtbot: QtBot) -> None:
    c, w = counter, counter.window
    _add_cashier(c, qtbot).accept()
    qtbot.waitUntil(lambda: w.session.idle_seconds == 5 * 60, timeout=10_000)
    w.lock()
    assert w.locker.locked and w.locker.screen.isVisible()
    assert w.locker.screen.geometry() == w.rect()
    _sign_in_on_lock_screen(c, qtbot, CASHIER, CASHIER_PIN)
    assert not w.locker.locked and w.session.operator.name == CASHIER
    assert w.session.idle_seconds == 5 * 60  # the synced policy holds for the next operator
    assert w.settings.session is w.session  # settings: the new operator's rights
    assert CASHIER in w.status.operator.text()
    _scan(c, qtbot, make_code(c.key, claims(sub="B-STAFF-1")))
    with qtbot.waitSignal(w.quoted, timeout=10_000):
        w.add_line(CartLine("formula", 5000))
    with qtbot.waitSignal(w.redeemed, timeout=10_000) as sig:
        w.confirm_redemption()
    receipt = sig.args[0]
    assert receipt.operator_id == c.staff.member(CASHIER).id
    records = RecordsDialog(w.services, w)
    qtbot.waitUntil(lambda: records.model.rowCount() == 1, timeout=10_000)
    with qtbot.waitSignal(records.changed, timeout=10_000):
        records.void(receipt, CASHIER, CASHIER_PIN, "顾客退货")
    assert "supervisor" in records.message.text()
    assert w.services.redemptions.receipt(receipt.redemption_id).status.value == "pending"
    with qtbot.waitSignal(records.changed, timeout=10_000):
        records.void(receipt, BOSS, BOSS_PIN, "顾客退货")
    assert w.services.redemptions.receipt(receipt.redemption_id).status.value == "voided"


def test_lockout_then_a_supervisor_unlocks(counter: Counter, qtbot: QtBot) -> None:
    c, w = counter, counter.window
    _add_cashier(c, qtbot).accept()
    w.lock()
    said = [_sign_in_on_lock_screen(c, qtbot, CASHIER, "9090") for _ in range(10)]
    assert said[1] == "Wrong PIN" and "8 tries left" not in said[1]
    assert "7 tries left" in said[2] and "1 tries left" in said[8]
    assert "locked for 30 minutes" in said[9]
    assert "locked for 30 minutes" in _sign_in_on_lock_screen(c, qtbot, CASHIER, CASHIER_PIN)
    assert w.locker.locked
    dialog = w.locker.unlock_account()
    assert isinstance(dialog, AccountUnlockDialog)
    dialog.supervisor.setCurrentText(BOSS)
    dialog.pin.setText(CASHIER_PIN)  # not a supervisor's PIN
    dialog.accept()
    qtbot.waitUntil(lambda: bool(dialog.error.text()), timeout=10_000)
    assert c.staff.member(CASHIER).is_locked(c.clock())
    dialog.pin.setText(BOSS_PIN)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.accept()
    assert not c.staff.member(CASHIER).is_locked(c.clock())
    _sign_in_on_lock_screen(c, qtbot, CASHIER, CASHIER_PIN)
    assert not w.locker.locked and w.session.operator.name == CASHIER


def _visible_texts() -> list[str]:
    """Every text a visible widget shows: labels, buttons, fields, and item views' cells."""
    texts: list[str] = []
    for widget in QApplication.allWidgets():
        if not widget.isVisible():
            continue
        for attr in ("text", "toolTip", "windowTitle", "placeholderText", "currentText"):
            value = getattr(widget, attr, None)
            if callable(value):
                got = value()
                if isinstance(got, str):
                    texts.append(got)
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for row in range(model.rowCount()):
                for col in range(model.columnCount()):
                    texts.append(str(model.data(model.index(row, col))))
    return texts


def test_idle_lock_hides_the_customer_and_refuses_scans(counter: Counter, qtbot: QtBot) -> None:
    c, w = counter, counter.window
    qtbot.waitUntil(lambda: w.session.idle_seconds == 5 * 60, timeout=10_000)  # synced policy
    code = make_code(c.key, claims(sub="B-IDLE-1"))
    _scan(c, qtbot, code)
    w.open_records()
    assert any("马*花" in t for t in _visible_texts())
    w.locker.timer.setInterval(5)
    c.clock.advance(4 * 60 + 59)
    for _ in range(3):  # the timer fires, the counter is not idle long enough yet
        with qtbot.waitSignal(w.locker.timer.timeout, timeout=5_000):
            pass
    assert not w.locker.locked
    c.clock.advance(1)
    qtbot.waitUntil(lambda: w.locker.locked, timeout=5_000)
    assert "5 minutes without activity" in w.locker.screen.reason.text()
    assert w.locker.screen.isVisible() and w.locker.screen.geometry() == w.rect()
    assert not w.centralWidget().isEnabled()
    assert w.keys.shortcuts and not any(s.isEnabled() for s in w.keys.shortcuts)
    assert not [t for t in _visible_texts() if "马*花" in t]
    assert w.cart.rowCount() == 0 and w.code_text is None
    w.on_scan(classify(code, ScanSource.CAMERA))
    assert w.code_text is None and "locked" in w.locker.screen.message.text()
    assert not [t for t in _visible_texts() if "马*花" in t]
    _sign_in_on_lock_screen(c, qtbot, BOSS, BOSS_PIN)
    assert not w.locker.locked and w.centralWidget().isEnabled()
    assert w.session.idle_seconds == 5 * 60  # the next operator keeps the synced policy
    assert all(s.isEnabled() for s in w.keys.shortcuts)


def _grab(widget: QWidget, path: Path) -> None:
    assert widget.grab().save(str(path))


def test_a_locked_supervisor_comes_back_with_the_recovery_code(qtbot: QtBot,
                                                              tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "data", clock=FakeClock(NOW)) as ledger:
        staff = StaffManager(OperatorRegistry(ledger, hasher=FAST_PINS))
        code = staff.create_first_supervisor(BOSS, BOSS_PIN).recovery_code
        for _ in range(10):
            with pytest.raises(LedgerError):
                staff.registry.sign_in(BOSS, "9090")
        dialog = AccountUnlockDialog(staff, BOSS, [BOSS], "en")
        qtbot.addWidget(dialog)
        assert dialog.supervisor.count() == 0  # not themselves
        dialog.code.setText("WRNG-WRNG-WRNG-WRNG")
        dialog.accept()
        qtbot.waitUntil(lambda: bool(dialog.error.text()), timeout=10_000)
        assert "recovery code is not right" in dialog.error.text()  # its shape: a recovery code
        dialog.code.setText(code)
        with qtbot.waitSignal(dialog.accepted, timeout=10_000):
            dialog.accept()
        fresh = dialog.result_value
        assert isinstance(fresh, str) and fresh != code  # shown once, the old one is spent
        assert staff.registry.sign_in(BOSS, BOSS_PIN).operator.name == BOSS


def test_removing_asks_first_and_keeps_the_last_supervisor(counter: Counter,
                                                           qtbot: QtBot) -> None:
    dialog = _add_cashier(counter, qtbot)
    dialog.select(BOSS)
    box = dialog.remove()
    assert box is not None and BOSS in box.text()
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        box.button(box.StandardButton.Yes).click()
    assert "last supervisor" in dialog.message.text()
    dialog.select(CASHIER)
    box = dialog.remove()
    assert box is not None
    box.button(box.StandardButton.No).click()
    assert counter.staff.member(CASHIER).active
    box = dialog.remove()
    assert box is not None
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        box.button(box.StandardButton.Yes).click()
    statuses = {dialog.table.item(r, 0).text(): dialog.table.item(r, 2).text()
                for r in range(dialog.table.rowCount())}
    assert statuses == {BOSS: "Active", CASHIER: "Removed"}


def test_a_new_recovery_code_prints_when_a_printer_is_set(counter: Counter, qtbot: QtBot,
                                                          tmp_path: Path) -> None:
    from merchant_pos.printing.config import TARGET
    from merchant_pos.store.settings import CounterSettings

    paper = tmp_path / "printer.bin"
    CounterSettings(counter.ledger).update({TARGET: f"file://{paper}"}, operator_id=None)
    dialog = StaffDialog(counter.staff, counter.window.session.operator, "en", counter.window)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=10_000)
    dialog.new_recovery_code()
    qtbot.waitUntil(lambda: getattr(dialog, "recovery_dialog", None) is not None,
                    timeout=10_000)
    shown = dialog.recovery_dialog
    qtbot.waitUntil(lambda: shown.print_button.isVisible(), timeout=10_000)
    with qtbot.waitSignal(shown.printed, timeout=10_000) as printed:
        shown.print_button.click()
    assert printed.args == [""]
    assert shown.code.text().encode() in paper.read_bytes()
    assert paper.read_bytes().startswith(b"\x1b@")  # ESC/POS: initialise the printer
