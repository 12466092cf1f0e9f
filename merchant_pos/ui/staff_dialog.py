"""Staff screens: the supervisor's staff list, new operators, PINs, unlocking, recovery code.

Every ledger call runs on the dialog's :class:`BackgroundTasks` (PIN hashes
cost tens of milliseconds); the rules (strong PINs, the last supervisor)
are the ledger's, these dialogs only show its answers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from merchant_pos.store import Ledger, LedgerError, Operator, OperatorRole
from merchant_pos.store.staff import (
    RECOVERY_CODE_LENGTH,
    StaffManager,
    StaffMember,
    normalise_recovery_code,
)
from merchant_pos.ui.dialogs import FormDialog, pin_field
from merchant_pos.ui.tasks import BackgroundTasks


def describe_error(exc: BaseException, language: str) -> str:
    return exc.message(language) if isinstance(exc, LedgerError) else str(exc)


class _WorkingForm(FormDialog):
    """A form whose OK runs ``work()`` off the UI thread; closes only when it succeeds."""

    staff: StaffManager

    def __init__(self, title: str, language: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.language = language
        self.tasks = BackgroundTasks(self)
        self.result_value: Any = None

    def work(self) -> Callable[[], Any] | None:
        """The call to make, or None after showing a problem with the input."""
        raise NotImplementedError

    def accept(self) -> None:
        job = self.work()
        if job is None:
            return
        self.buttons.setEnabled(False)
        self.tasks.run(job, self._done, self._failed)

    def _done(self, value: Any) -> None:
        self.result_value = value
        self.buttons.setEnabled(True)
        super().accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.show_error(describe_error(exc, self.language))
        if not isinstance(self, SetPinDialog):
            _ask_new_pin(exc, self.staff, self.language, self)


class NewOperatorDialog(_WorkingForm):
    def __init__(self, staff: StaffManager, by: Operator, language: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Add an operator"), language, parent)
        self.staff, self.by = staff, by
        self.name = QLineEdit()
        self.role = QComboBox()
        self.role.addItem(self.tr("Cashier"), OperatorRole.CASHIER)
        self.role.addItem(self.tr("Supervisor"), OperatorRole.SUPERVISOR)
        self.pin, self.pin_again = pin_field(), pin_field()
        self.form.addRow(self.tr("Name"), self.name)
        self.form.addRow(self.tr("Role"), self.role)
        self.form.addRow(self.tr("PIN (4-12 digits)"), self.pin)
        self.form.addRow(self.tr("PIN again"), self.pin_again)

    def work(self) -> Callable[[], Any] | None:
        if self.pin.text() != self.pin_again.text():
            self.show_error(self.tr("The two PINs differ"))
            return None
        staff, by, name, pin = self.staff, self.by, self.name.text().strip(), self.pin.text()
        role = OperatorRole(self.role.currentData())
        return lambda: staff.add(by, name, role, pin)


class SetPinDialog(_WorkingForm):
    """A supervisor sets someone's PIN; or (``own``) an operator changes their own."""

    def __init__(self, staff: StaffManager, name: str, language: str, *,
                 by: Operator | None = None, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("New PIN for {0}").format(name), language, parent)
        self.staff, self.target, self.by = staff, name, by
        self.old_pin = pin_field()
        if by is None:
            note = QLabel(self.tr("Your PIN is too easy to guess. Choose a new one to go on."))
            note.setWordWrap(True)
            self.form.addRow(note)
            self.form.addRow(self.tr("Current PIN"), self.old_pin)
        self.pin, self.pin_again = pin_field(), pin_field()
        self.form.addRow(self.tr("New PIN (4-12 digits)"), self.pin)
        self.form.addRow(self.tr("PIN again"), self.pin_again)

    def work(self) -> Callable[[], Any] | None:
        if self.pin.text() != self.pin_again.text():
            self.show_error(self.tr("The two PINs differ"))
            return None
        staff, name, new, by = self.staff, self.target, self.pin.text(), self.by
        if by is None:
            old = self.old_pin.text()
            return lambda: staff.change_own_pin(name, old, new)
        return lambda: staff.set_pin(by, name, new)


class AccountUnlockDialog(_WorkingForm):
    """A locked operator back in: a supervisor's PIN, the recovery code, or a server code."""

    def __init__(self, staff: StaffManager, name: str, supervisors: Sequence[str],
                 language: str, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Unlock {0}").format(name), language, parent)
        self.staff, self.target = staff, name
        intro = QLabel(self.tr("A supervisor's PIN unlocks {0} at once. A locked supervisor "
                               "can use another supervisor, the shop's recovery code, or a "
                               "one-time unlock code from the foundation.").format(name))
        intro.setWordWrap(True)
        self.form.addRow(intro)
        self.supervisor = QComboBox()
        self.supervisor.setEditable(True)
        self.supervisor.addItems([s for s in supervisors if s != name])
        self.pin = pin_field()
        self.code = QLineEdit()
        self.code.setPlaceholderText("XXXX-XXXX-XXXX-XXXX")
        self.form.addRow(self.tr("Supervisor"), self.supervisor)
        self.form.addRow(self.tr("Supervisor's PIN"), self.pin)
        self.form.addRow(self.tr("or a recovery / unlock code"), self.code)
        # After a lost device secret no old PIN checks: the foundation's code sets a new one.
        self.new_pin = pin_field()
        self.new_pin.setPlaceholderText(self.tr("only if the old PIN no longer works"))
        self.form.addRow(self.tr("New PIN, with the foundation's code"), self.new_pin)

    def work(self) -> Callable[[], Any] | None:
        staff, name, code = self.staff, self.target, self.code.text().strip()
        new_pin = self.new_pin.text() or None
        if code:
            def with_code() -> str | None:
                if len(normalise_recovery_code(code)) == RECOVERY_CODE_LENGTH and not new_pin:
                    return staff.unlock_with_recovery_code(name, code)
                staff.unlock_with_server_code(name, code, new_pin)
                return None
            return with_code
        supervisor, pin = self.supervisor.currentText().strip(), self.pin.text()
        if not supervisor or not pin:
            self.show_error(self.tr("Enter a supervisor and PIN, or a code"))
            return None
        return lambda: staff.unlock(staff.registry.supervisor(supervisor, pin), name)


def _ask_new_pin(exc: BaseException, staff: StaffManager, language: str,
                 parent: QWidget) -> None:
    from merchant_pos.ui.pin_change import ask_new_pin  # it imports this module

    ask_new_pin(exc, staff, language, parent)


class RecoveryCodeDialog(QDialog):
    """Shows the shop's recovery code once; "Print" when a printer is set up."""

    printed = Signal(str)  # what became of the print (tests wait on it)

    def __init__(self, code: str, parent: QWidget | None = None, *,
                 ledger: Ledger | None = None, language: str = "zh_CN") -> None:
        super().__init__(parent)
        self.tasks = BackgroundTasks(self)
        self.language = language
        self.setWindowTitle(self.tr("Recovery code"))
        text = QLabel(self.tr("Write this code down and keep it somewhere safe, away from the "
                              "counter. It unlocks a locked supervisor once; it is shown only "
                              "now."))
        text.setWordWrap(True)
        self.code = QLabel(code)
        self.code.setObjectName("recoveryCode")
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code.setStyleSheet("font-family: monospace; font-size: 28px; font-weight: 700;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        self.print_button = buttons.addButton(self.tr("Print"),
                                              QDialogButtonBox.ButtonRole.ActionRole)
        self.print_button.setVisible(False)
        self.print_button.clicked.connect(lambda: self._print(code))
        self.status = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.code, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.config: Any = None
        if ledger is not None:
            from merchant_pos.printing.config import load_config

            self.tasks.run(lambda: load_config(ledger), self._configured, lambda _e: None)

    def _configured(self, config: Any) -> None:
        self.config = config
        self.print_button.setVisible(bool(config.target))

    def _print(self, code: str) -> None:
        from merchant_pos.printing.recovery_slip import print_recovery_code
        from merchant_pos.ui.system_printer import SystemPrinter

        config, lang = self.config, self.language
        system = SystemPrinter().print_lines  # used when the counter prints on a system printer
        self.print_button.setEnabled(False)

        def failed(exc: BaseException) -> None:
            text = exc.message(lang) if hasattr(exc, "message") else str(exc)
            self.status.setText(text)
            self.print_button.setEnabled(True)
            self.printed.emit(text)

        def done(_r: object) -> None:
            self.status.setText(self.tr("Printed."))
            self.printed.emit("")

        self.tasks.run(lambda: print_recovery_code(code, config, system), done, failed)


class StaffDialog(QDialog):
    """The supervisor's list of operators, with who is locked, and the changes."""

    changed = Signal()  # reloaded after a change (tests wait on it)

    def __init__(self, staff: StaffManager, by: Operator, language: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.staff, self.by, self.language = staff, by, language
        self.tasks = BackgroundTasks(self)
        self.members: list[StaffMember] = []
        self.setWindowTitle(self.tr("Staff"))
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([self.tr("Name"), self.tr("Role"),
                                              self.tr("Status")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.message = QLabel()
        self.message.setObjectName("errorText")
        self.message.setWordWrap(True)
        row = QHBoxLayout()
        for text, slot in ((self.tr("Add…"), self.add), (self.tr("Set PIN…"), self.set_pin),
                           (self.tr("Unlock"), self.unlock), (self.tr("Remove"), self.remove),
                           (self.tr("New recovery code…"), self.new_recovery_code)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            row.addWidget(button)
        row.addStretch(1)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.accept)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Signed in as supervisor {0}").format(by.name)))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(row)
        self.resize(760, 460)
        self.reload()

    def reload(self) -> None:
        staff = self.staff
        self.tasks.run(lambda: (staff.members(include_removed=True), staff.ledger.clock()),
                       self._loaded, self._failed)

    def _loaded(self, result: tuple[list[StaffMember], int]) -> None:
        members, now = result
        self.members = [m for m in members if m.active] + [m for m in members if not m.active]
        self.table.setRowCount(len(self.members))
        for i, m in enumerate(self.members):
            role = self.tr("Supervisor") if m.role is OperatorRole.SUPERVISOR else \
                self.tr("Cashier")
            if not m.active:
                status = self.tr("Removed")
            elif m.is_locked(now):
                status = self.tr("Locked ({0} wrong PINs)").format(m.failed_attempts)
            elif m.must_change_pin:
                status = self.tr("Must change weak PIN")
            else:
                status = self.tr("Active")
            for column, text in enumerate((m.name, role, status)):
                self.table.setItem(i, column, QTableWidgetItem(text))
        self.changed.emit()

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(describe_error(exc, self.language))
        self.changed.emit()
        _ask_new_pin(exc, self.staff, self.language, self)

    def selected(self) -> StaffMember | None:
        rows = self.table.selectionModel().selectedRows()
        member = self.members[rows[0].row()] if rows else None
        if member is None or not member.active:
            self.message.setText(self.tr("Choose an active operator first"))
            return None
        return member

    def select(self, name: str) -> None:
        for i, m in enumerate(self.members):
            if m.name == name:
                self.table.selectRow(i)

    def _run(self, job: Callable[[], Any]) -> None:
        self.message.setText("")
        self.tasks.run(job, lambda _r: self.reload(), self._failed)

    def add(self) -> NewOperatorDialog:
        dialog = NewOperatorDialog(self.staff, self.by, self.language, self)
        dialog.accepted.connect(self.reload)
        dialog.open()
        return dialog

    def set_pin(self) -> SetPinDialog | None:
        member = self.selected()
        if member is None:
            return None
        dialog = SetPinDialog(self.staff, member.name, self.language, by=self.by, parent=self)
        dialog.accepted.connect(self.reload)
        dialog.open()
        return dialog

    def unlock(self) -> None:
        member, staff, by = self.selected(), self.staff, self.by
        if member is not None:
            self._run(lambda: staff.unlock(by, member.name))

    def remove(self) -> QMessageBox | None:
        """Ask first; a removed operator can no longer sign in (their records stay)."""
        member, staff, by = self.selected(), self.staff, self.by
        if member is None:
            return None
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Remove {0}").format(member.name),
                          self.tr("Remove {0}? They can no longer sign in; their redemptions "
                                  "keep their name.").format(member.name),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.accepted.connect(lambda: self._run(lambda: staff.remove(by, member.name)))
        box.open()
        return box

    def new_recovery_code(self) -> None:
        staff, by = self.staff, self.by
        self.tasks.run(lambda: staff.new_recovery_code(by), self._show_recovery_code,
                       self._failed)

    def _show_recovery_code(self, code: str) -> None:
        self.recovery_dialog = RecoveryCodeDialog(code, self, ledger=self.staff.ledger,
                                                  language=self.language)
        self.recovery_dialog.open()
