"""The settings screen shell: supervisor PIN for a cashier, pages, validation, saving."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QCheckBox, QFormLayout, QLineEdit
from pytestqt.qtbot import QtBot

from merchant_pos.store.settings import (
    CounterSettings,
    Setting,
    SettingsSnapshot,
    SettingValue,
)
from merchant_pos.ui.settings import pages as settings_pages
from merchant_pos.ui.settings.controller import SupervisorPinDialog
from merchant_pos.ui.settings.dialog import SettingsDialog
from merchant_pos.ui.settings.page import SettingsPage, changed_values
from tests.ui.conftest import Shop

BEEP = Setting("test.beep", True)
GREETING = Setting("test.greeting", "")


class _TestPage(SettingsPage):
    def __init__(self) -> None:
        super().__init__()
        self.beep = QCheckBox("beep")
        self.greeting = QLineEdit()
        form = QFormLayout(self)
        form.addRow(self.beep)
        form.addRow("greeting", self.greeting)
        self.snapshot = SettingsSnapshot()

    def title(self) -> str:
        return "Test page"

    def load(self, snapshot: SettingsSnapshot) -> None:
        self.snapshot = snapshot
        self.beep.setChecked(snapshot.get(BEEP))
        self.greeting.setText(snapshot.get(GREETING))

    def changes(self) -> dict[Setting[SettingValue], SettingValue]:
        return changed_values(self.snapshot, {BEEP: self.beep.isChecked(),
                                              GREETING: self.greeting.text()})

    def problem(self) -> str | None:
        return "too long" if len(self.greeting.text()) > 10 else None

    def first_field(self) -> QLineEdit:
        return self.greeting


@pytest.fixture
def test_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings_pages, "PAGE_FACTORIES", [lambda _services: _TestPage()])


def _settings_dialog(qtbot: QtBot, shop: Shop) -> SettingsDialog:
    controller = shop.window.settings
    qtbot.waitUntil(lambda: isinstance(controller.dialog, SettingsDialog))
    assert isinstance(controller.dialog, SettingsDialog)
    return controller.dialog


def _setting_audit_rows(shop: Shop) -> list[dict[str, object]]:
    with shop.ledger.read_raw() as db:
        payloads = [json.loads(p) for (p,) in db.execute("SELECT payload FROM audit_log")]
    return [p for p in payloads if p.get("what") == "counter_setting"]


def test_cashier_needs_a_supervisor_pin_and_changes_are_saved(
        qtbot: QtBot, shop: Shop, test_page: None) -> None:
    controller = shop.window.settings
    controller.open()
    qtbot.waitUntil(lambda: isinstance(controller.dialog, SupervisorPinDialog))
    pin_dialog = controller.dialog
    assert isinstance(pin_dialog, SupervisorPinDialog)
    assert pin_dialog.name.currentText() == "王主管"  # supervisors only: no cashier listed
    assert pin_dialog.name.count() == 1
    pin_dialog.pin.setText("9999")
    pin_dialog.accept()
    dialog = _settings_dialog(qtbot, shop)
    page = dialog.pages[0]
    assert isinstance(page, _TestPage)
    assert page.beep.isChecked()  # the default
    page.beep.setChecked(False)
    page.greeting.setText("你好")
    with qtbot.waitSignal(shop.window.settings_changed) as applied:
        dialog.accept()
    keys, snapshot = applied.args
    assert sorted(keys) == ["test.beep", "test.greeting"]
    assert snapshot.get(BEEP) is False
    stored = CounterSettings(shop.ledger)
    assert stored.get(BEEP) is False and stored.get(GREETING) == "你好"
    boss_id = next(op.id for op in shop.window.services.operators.operators()
                   if op.name == "王主管")
    assert {row["key"] for row in _setting_audit_rows(shop)} == {"test.beep", "test.greeting"}
    with shop.ledger.read_raw() as db:
        ops = {op for (op,) in db.execute(
            "SELECT operator_id FROM audit_log WHERE kind = 'settings_change' "
            "AND payload LIKE '%counter_setting%'")}
    assert ops == {boss_id}


def test_wrong_supervisor_pin_opens_nothing(qtbot: QtBot, shop: Shop, test_page: None) -> None:
    controller = shop.window.settings
    controller.open()
    qtbot.waitUntil(lambda: isinstance(controller.dialog, SupervisorPinDialog))
    assert isinstance(controller.dialog, SupervisorPinDialog)
    controller.dialog.pin.setText("0000")
    with qtbot.waitSignal(controller.refused) as refused:
        controller.dialog.accept()
    assert "密码" in refused.args[0] or "PIN" in refused.args[0]
    assert controller.dialog is None
    assert _setting_audit_rows(shop) == []


def test_a_page_problem_keeps_the_dialog_open_and_saves_nothing(
        qtbot: QtBot, shop: Shop, test_page: None) -> None:
    controller = shop.window.settings
    supervisor = shop.window.services.operators.sign_in("王主管", "9999")
    controller.session = supervisor  # a signed-in supervisor goes straight in
    controller.open()
    dialog = _settings_dialog(qtbot, shop)
    page = dialog.pages[0]
    assert isinstance(page, _TestPage)
    page.greeting.setText("much too long a greeting")
    dialog.accept()
    assert dialog.isVisible()
    assert "too long" in dialog.error.text()
    page.greeting.setText("ok")
    dialog.accept()
    qtbot.waitUntil(lambda: CounterSettings(shop.ledger).get(GREETING) == "ok")
    assert [row["key"] for row in _setting_audit_rows(shop)] == ["test.greeting"]


def test_cancel_and_unchanged_save_nothing(qtbot: QtBot, shop: Shop, test_page: None) -> None:
    controller = shop.window.settings
    controller.session = shop.window.services.operators.sign_in("王主管", "9999")
    controller.open()
    _settings_dialog(qtbot, shop).reject()
    assert controller.dialog is None
    controller.open()
    _settings_dialog(qtbot, shop).accept()  # OK without a change
    qtbot.waitUntil(lambda: controller.dialog is None)
    shop.window.tasks.wait()
    assert _setting_audit_rows(shop) == []
