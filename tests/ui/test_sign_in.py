"""Signing in and unlocking check the PIN off the UI thread and say what went wrong."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from merchant_pos.store import LedgerError, OperatorSession
from merchant_pos.ui.dialogs import SignInDialog
from tests.ui.conftest import Shop


def test_wrong_then_right_pin(shop: Shop, qtbot: QtBot) -> None:
    operators = shop.window.services.operators
    dialog = SignInDialog(["李收银"], check=operators.sign_in,
                          describe=lambda e: e.message("zh_CN") if isinstance(e, LedgerError)
                          else str(e))
    qtbot.addWidget(dialog)
    dialog.pin.setText("0000")
    dialog.accept()
    qtbot.waitUntil(lambda: bool(dialog.error.text()), timeout=10_000)
    assert dialog.result_value is None and dialog.pin.text() == ""
    assert any("\u4e00" <= ch <= "\u9fff" for ch in dialog.error.text())
    dialog.pin.setText("1234")
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.accept()
    assert isinstance(dialog.result_value, OperatorSession)
    assert dialog.result_value.operator.name == "李收银"


def test_a_locked_counter_unlocks_with_the_pin(shop: Shop, qtbot: QtBot) -> None:
    session = shop.window.session
    session.lock()
    assert session.is_locked
    operators = shop.window.services.operators
    dialog = SignInDialog([session.operator.name],
                          check=lambda _n, pin: operators.unlock(session, pin))
    qtbot.addWidget(dialog)
    dialog.pin.setText("1234")
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.accept()
    assert not session.is_locked
