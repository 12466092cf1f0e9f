"""Issue 13: the ledger refuses a weak PIN's redemption and void approval; the window
answers the refusal by asking for the new PIN, and the retry goes through."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from merchant_pos.domain.issuing import IssuerKey
from merchant_pos.domain.quote import CartLine
from merchant_pos.scan.classify import ScanSource, classify
from merchant_pos.store import (
    Ledger,
    MerchantSettingsStore,
    OperatorRegistry,
    OperatorRole,
    RedemptionService,
)
from merchant_pos.store.staff import StaffManager
from merchant_pos.ui.counter_window import CounterServices, CounterWindow
from merchant_pos.ui.labels import Labels
from merchant_pos.ui.records_dialog import RecordsDialog
from merchant_pos.ui.staff_dialog import SetPinDialog
from tests.store.conftest import BABY_SHOP, FAST_PINS, FakeClock, configure
from tests.support.codes import NOW, claims, make_code
from tests.ui.conftest import PROGRAMS


@dataclass
class Counter:
    key: IssuerKey
    staff: StaffManager
    window: CounterWindow


@pytest.fixture
def weak_counter(qtbot: QtBot, tmp_path: Path, shop_key: IssuerKey) -> Iterator[Counter]:
    with Ledger.open(tmp_path / "data", clock=FakeClock(NOW)) as ledger:
        configure(ledger, shop_key)
        MerchantSettingsStore(ledger).save_programs(PROGRAMS)
        old = OperatorRegistry(ledger, hasher=FAST_PINS)  # PINs set before the rule
        boss = old.create_first_supervisor("老主管", "1111")
        old.add_operator(boss, "老收银", OperatorRole.CASHIER, "1234")
        operators = OperatorRegistry(ledger, hasher=FAST_PINS, require_strong_pins=True)
        staff = StaffManager(operators)
        services = CounterServices(RedemptionService(ledger, operators), operators, BABY_SHOP,
                                   Labels(PROGRAMS, "en"), "en",
                                   extras={"show_receipts": False, "staff": staff})
        session = operators.sign_in("老收银", "1234")
        session.must_change_pin = False  # as if the sign-in dialog had been got round
        window = CounterWindow(services, session)
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        yield Counter(shop_key, staff, window)
        window.final_sync.done = True
        window.close()


def _pin_dialog(qtbot: QtBot) -> SetPinDialog:
    found: list[SetPinDialog] = []

    def shown() -> bool:
        found[:] = [w for w in QApplication.topLevelWidgets()
                    if isinstance(w, SetPinDialog) and w.isVisible()]
        return bool(found)

    qtbot.waitUntil(shown, timeout=10_000)
    return found[0]


def _change(qtbot: QtBot, dialog: SetPinDialog, old: str, new: str) -> None:
    dialog.old_pin.setText(old)
    dialog.pin.setText(new)
    dialog.pin_again.setText(new)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.accept()


def test_a_refused_redemption_asks_for_the_new_pin_and_the_retry_records_it(
        weak_counter: Counter, qtbot: QtBot) -> None:
    w = weak_counter.window
    with qtbot.waitSignal(w.quoted, timeout=10_000):
        w.on_scan(classify(make_code(weak_counter.key, claims(sub="B-PIN-1")),
                           ScanSource.SCANNER))
    with qtbot.waitSignal(w.quoted, timeout=10_000):
        w.add_line(CartLine("formula", 5000))
    w.confirm_redemption()
    dialog = _pin_dialog(qtbot)
    assert dialog.target == "老收银" and "change it first" in w.banner.title.text()
    _change(qtbot, dialog, "1234", "6284")
    qtbot.waitUntil(lambda: "Press Confirm again" in w.banner.title.text(), timeout=10_000)
    assert w.cart.rowCount() == 1  # nothing of the sale was lost
    with qtbot.waitSignal(w.redeemed, timeout=10_000) as sig:
        w.confirm_redemption()
    receipt = sig.args[0]
    assert receipt.operator_id == weak_counter.staff.member("老收银").id

    records = RecordsDialog(w.services, w)
    qtbot.waitUntil(lambda: records.model.rowCount() == 1, timeout=10_000)
    records.void(receipt, "老主管", "1111", "顾客退货")
    dialog = _pin_dialog(qtbot)  # the approving supervisor's PIN must change too
    assert dialog.target == "老主管"
    assert w.services.redemptions.receipt(receipt.redemption_id).status.value == "pending"
    _change(qtbot, dialog, "1111", "5937")
    qtbot.waitUntil(lambda: "Void again" in records.message.text(), timeout=10_000)
    with qtbot.waitSignal(records.changed, timeout=10_000):
        records.void(receipt, "老主管", "5937", "顾客退货")
    assert w.services.redemptions.receipt(receipt.redemption_id).status.value == "voided"
