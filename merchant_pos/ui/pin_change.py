"""When the ledger refuses because a weak PIN must be changed first: ask for the new PIN.

The rule is the ledger's (:class:`~merchant_pos.store.errors.PinChangeRequired` from
redeem, a void's approval, staff changes, the settings' supervisor PIN); the
window only turns the refusal into the change-PIN dialog for the operator it
names, and says what to do next once the PIN is changed.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QWidget

from merchant_pos.store.errors import PinChangeRequired
from merchant_pos.store.staff import StaffManager
from merchant_pos.ui.staff_dialog import SetPinDialog


def ask_new_pin(exc: BaseException, staff: StaffManager | None, language: str,
                parent: QWidget, done: Callable[[bool], None] | None = None
                ) -> SetPinDialog | None:
    """Open the change-PIN dialog (window-modal) if ``exc`` asks for it; None otherwise.
    ``done(True)`` once the new PIN is stored, ``done(False)`` if the dialog was closed."""
    if not isinstance(exc, PinChangeRequired) or staff is None:
        return None
    dialog = SetPinDialog(staff, exc.operator, language, parent=parent)
    if done is not None:
        dialog.finished.connect(lambda result: done(result == QDialog.DialogCode.Accepted))
    dialog.open()
    return dialog
