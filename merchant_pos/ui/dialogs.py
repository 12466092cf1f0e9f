"""Small dialogs: sign-in, first supervisor, typing a code, supervisor approval for a void."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from merchant_pos.ui.tasks import BackgroundTasks


def _pin_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMaxLength(12)
    field.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly
                              | Qt.InputMethodHint.ImhSensitiveData)
    return field


class _FormDialog(QDialog):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def show_error(self, text: str) -> None:
        self.error.setText(text)

    def first_field(self) -> QWidget | None:
        """Where typing starts when the dialog opens (never the OK button)."""
        return None

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        field = self.first_field()
        if field is not None:
            QTimer.singleShot(0, field.setFocus)  # after Qt has focused the default button


FormDialog = _FormDialog  # for the staff dialogs (ui/staff_dialog.py)
pin_field = _pin_field


class SignInDialog(_FormDialog):
    """Pick your name, type your PIN.

    With ``check`` (name, PIN → result; raises on a wrong PIN), OK runs it off the
    UI thread (a PIN hash costs tens of milliseconds and reads the ledger) and the
    dialog closes only when it succeeds; ``describe`` turns its error into text.
    """

    def __init__(self, names: Sequence[str], parent: QWidget | None = None,
                 hint: str = "", check: Callable[[str, str], Any] | None = None,
                 describe: Callable[[BaseException], str] = str,
                 locked_out: Callable[[QDialog, str], None] | None = None) -> None:
        super().__init__(self.tr("Sign in"), parent)
        self.check = check
        self.describe = describe
        self.result_value: Any = None
        self.tasks = BackgroundTasks(self)
        self.name = QComboBox()
        self.name.setEditable(True)
        self.name.addItems(list(names))
        self.pin = _pin_field()
        self.form.addRow(self.tr("Operator"), self.name)
        self.form.addRow(self.tr("PIN"), self.pin)
        if hint:
            self.form.addRow(QLabel(hint))
        if locked_out is not None:  # a locked account: a supervisor or a code unlocks it
            button = self.buttons.addButton(self.tr("Locked out?"),
                                            QDialogButtonBox.ButtonRole.ResetRole)
            button.clicked.connect(lambda: locked_out(self, self.name.currentText().strip()))

    def first_field(self) -> QWidget | None:
        return self.pin if self.name.currentText() else self.name

    def credentials(self) -> tuple[str, str]:
        return self.name.currentText().strip(), self.pin.text()

    def accept(self) -> None:
        if self.check is None:
            super().accept()
            return
        check, (name, pin) = self.check, self.credentials()
        self.buttons.setEnabled(False)
        self.tasks.run(lambda: check(name, pin), self._checked, self._refused)

    def _checked(self, value: Any) -> None:
        self.result_value = value
        self.buttons.setEnabled(True)
        super().accept()

    def _refused(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.show_error(self.describe(exc))
        self.pin.clear()
        self.pin.setFocus()


class FirstSupervisorDialog(_FormDialog):
    """First run: the shop's first supervisor chooses a name and a PIN."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Set up this counter"), parent)
        intro = QLabel(self.tr("Create the first supervisor. Supervisors approve voids "
                               "and add cashiers. Choose a PIN that is not easy to guess "
                               "(not 0000, 1234 or 1212)."))
        intro.setWordWrap(True)
        self.form.addRow(intro)
        self.name = QLineEdit()
        self.pin = _pin_field()
        self.pin_again = _pin_field()
        self.form.addRow(self.tr("Name"), self.name)
        self.form.addRow(self.tr("PIN (4-12 digits)"), self.pin)
        self.form.addRow(self.tr("PIN again"), self.pin_again)

    def first_field(self) -> QWidget | None:
        return self.name

    def accept(self) -> None:
        if self.pin.text() != self.pin_again.text():
            self.show_error(self.tr("The two PINs differ"))
            return
        super().accept()


class TypeCodeDialog(_FormDialog):
    """When the camera and the scanner both fail: paste or type the code text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Enter a code"), parent)
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText("BC1:…")
        self.text.setInputMethodHints(Qt.InputMethodHint.ImhLatinOnly
                                      | Qt.InputMethodHint.ImhNoPredictiveText)
        self.text.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.form.addRow(self.text)

    def first_field(self) -> QWidget | None:
        return self.text

    def code(self) -> str:
        return self.text.toPlainText().strip()


class SupervisorApprovalDialog(_FormDialog):
    """A supervisor approves a void with name, PIN and a reason."""

    def __init__(self, supervisors: Sequence[str], what: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Supervisor approval"), parent)
        label = QLabel(what)
        label.setWordWrap(True)
        self.form.addRow(label)
        self.name = QComboBox()
        self.name.setEditable(True)
        self.name.addItems(list(supervisors))
        self.pin = _pin_field()
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("Why is it voided?"))
        self.form.addRow(self.tr("Supervisor"), self.name)
        self.form.addRow(self.tr("PIN"), self.pin)
        self.form.addRow(self.tr("Reason"), self.reason)

    def first_field(self) -> QWidget | None:
        return self.pin if self.name.currentText() else self.name

    def accept(self) -> None:
        if not self.reason.text().strip():
            self.show_error(self.tr("A reason is required"))
            return
        super().accept()
