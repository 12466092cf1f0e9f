"""The first start: the first supervisor (a weak PIN refused), the recovery code shown once,
the staff screen offered, then a normal sign-in; on a real ledger through open_pos."""

from __future__ import annotations

from pathlib import Path

import keyring
from keyring.backends import fail
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from merchant_pos.app import open_pos
from merchant_pos.ui.counter_app import sign_in
from merchant_pos.ui.dialogs import FirstSupervisorDialog, SignInDialog
from merchant_pos.ui.staff_dialog import RecoveryCodeDialog, StaffDialog


def test_first_run_creates_the_supervisor_and_shows_the_recovery_code(
        qtbot: QtBot, tmp_path: Path) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    ctx = open_pos(tmp_path / "pos", use_keyring=False)
    seen: list[str] = []
    codes: list[str] = []

    def drive() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, FirstSupervisorDialog):
            weak = not dialog.error.text()
            dialog.name.setText("王主管")
            pin = "1234" if weak else "2791"
            dialog.pin.setText(pin)
            dialog.pin_again.setText(pin)
            seen.append(f"first:{dialog.error.text()}")
            dialog.accept()
        elif isinstance(dialog, RecoveryCodeDialog) and not dialog.result():  # once each
            codes.append(dialog.code.text())
            dialog.accept()
        elif isinstance(dialog, StaffDialog):
            seen.append("staff")
            dialog.reject()
        elif isinstance(dialog, SignInDialog) and dialog.buttons.isEnabled():
            seen.append("sign-in")
            dialog.pin.setText("2791")
            dialog.accept()

    timer = QTimer()
    timer.timeout.connect(drive)
    timer.start(20)
    try:
        session = sign_in(ctx, "en")
    finally:
        timer.stop()
        ctx.close()
        keyring.set_keyring(previous)
    assert session is not None and session.operator.is_supervisor
    assert not session.must_change_pin
    assert "too easy to guess" in seen[1]  # the weak PIN was refused, then a good one taken
    assert "staff" in seen and seen[-1] == "sign-in"
    assert len(codes) == 1 and len(codes[0]) == 19
