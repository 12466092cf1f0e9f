"""Opening the settings screen: a supervisor's PIN, the snapshot, saving, applying.

Every step that reads the disk or checks a PIN runs on the window's
:class:`BackgroundTasks`; the UI thread only shows window-modal dialogs
(``open()``, never a nested ``exec()`` loop). A cashier gets
the settings only after a supervisor types their PIN; a signed-in supervisor
goes straight in. What was saved is announced with :attr:`applied` so the
window (and each responsibility) can apply it at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox, QDialog, QLineEdit, QWidget

from merchant_pos.store import OperatorRegistry, OperatorSession
from merchant_pos.store.settings import CounterSettings, Setting, SettingsSnapshot, SettingValue
from merchant_pos.ui.dialogs import _FormDialog, _pin_field
from merchant_pos.ui.settings.dialog import SettingsDialog
from merchant_pos.ui.settings.page import SettingsPage
from merchant_pos.ui.tasks import BackgroundTasks


class SupervisorPinDialog(_FormDialog):
    """A supervisor's name and PIN, to open a supervisor-only screen."""

    def __init__(self, supervisors: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Supervisor PIN"), parent)
        self.name = QComboBox()
        self.name.addItems(list(supervisors))
        self.pin: QLineEdit = _pin_field()
        self.form.addRow(self.tr("Supervisor"), self.name)
        self.form.addRow(self.tr("PIN"), self.pin)
        self.pin.setFocus()


class SettingsController(QObject):
    """Runs one visit to the settings screen at a time."""

    applied = Signal(object, object)  # list[str] of changed keys, SettingsSnapshot after
    refused = Signal(str)  # a message for the clerk (wrong PIN, save failed, ...)

    def __init__(self, parent: QWidget, tasks: BackgroundTasks, settings: CounterSettings,
                 operators: OperatorRegistry, session: OperatorSession,
                 pages: Callable[[], list[SettingsPage]],
                 describe: Callable[[BaseException], str], language: str = "zh_CN") -> None:
        super().__init__(parent)
        self.language = language
        self.pin_dialog: QDialog | None = None  # a weak supervisor PIN: the change dialog
        self._parent = parent
        self.tasks = tasks
        self.settings = settings
        self.operators = operators
        self.session = session
        self.pages = pages
        self.describe = describe
        self.dialog: QDialog | None = None  # the dialog now open (tests drive it)
        self.supervisor_id: int | None = None  # who opened the screen (the staff page acts as)
        self._busy = False

    def open(self) -> None:
        if self._busy:
            return
        self._busy = True
        operator = self.session.operator
        if operator.is_supervisor:
            self._load(operator.id)
            return
        operators = self.operators
        self.tasks.run(lambda: [op.name for op in operators.operators() if op.is_supervisor],
                       self._ask_supervisor, self._failed)

    def _ask_supervisor(self, names: list[str]) -> None:
        dialog = SupervisorPinDialog(names, self._parent)
        self.dialog = dialog

        def finished(result: int) -> None:
            if result != QDialog.DialogCode.Accepted:
                self._done()
                return
            name, pin, operators = dialog.name.currentText(), dialog.pin.text(), self.operators
            self.tasks.run(lambda: operators.supervisor(name, pin).id, self._load,
                           self._failed)

        dialog.finished.connect(finished)
        dialog.open()

    def _load(self, supervisor_id: int) -> None:
        self.supervisor_id = supervisor_id
        self.tasks.run(self.settings.snapshot,
                       lambda snapshot: self._edit(supervisor_id, snapshot), self._failed)

    def _edit(self, supervisor_id: int, snapshot: SettingsSnapshot) -> None:
        dialog = SettingsDialog(snapshot, self.pages(), self._parent)
        self.dialog = dialog

        def finished(result: int) -> None:
            if result != QDialog.DialogCode.Accepted or not dialog.changes():
                self._done()
                return
            self.save(dialog.changes(), supervisor_id)

        dialog.finished.connect(finished)
        dialog.open()

    def save(self, changes: dict[Setting[SettingValue], SettingValue],
             supervisor_id: int) -> None:
        settings = self.settings

        def store() -> tuple[list[str], SettingsSnapshot]:
            changed = settings.update(changes, operator_id=supervisor_id)
            return changed, settings.snapshot()

        self.tasks.run(store, self._saved, self._failed)

    def _saved(self, result: tuple[list[str], SettingsSnapshot]) -> None:
        self._done()
        changed, snapshot = result
        if changed:
            self.applied.emit(changed, snapshot)

    def _failed(self, exc: BaseException) -> None:
        self._done()
        self.refused.emit(self.describe(exc))
        from merchant_pos.store.staff import StaffManager
        from merchant_pos.ui.pin_change import ask_new_pin  # issue 13: a weak PIN first

        self.pin_dialog = ask_new_pin(exc, StaffManager(self.operators), self.language,
                                      self._parent)

    def _done(self) -> None:
        self._busy = False
        self.dialog = None
