"""The lock screen: covers the whole counter window, shows no customer data.

:class:`CounterLock` owns it. It locks on "Lock" and, timer-driven, after the
idle time of the server's ``idle_lock_minutes`` policy (15 minutes when the
counter has never synced), measured on the ledger's clock (injected in tests).
Locking clears the cart, closes open dialogs (today's list shows names) and
covers the window; scans while locked are refused with a message. The
operator's PIN unlocks; another operator's PIN switches operator; a locked
account gets back in through a supervisor or a code (ui/staff_dialog.py).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from merchant_pos.store import LedgerError, LedgerErrorId, OperatorRole, OperatorSession
from merchant_pos.store.staff import StaffManager, idle_lock_seconds
from merchant_pos.ui.dialogs import pin_field
from merchant_pos.ui.staff_dialog import AccountUnlockDialog, SetPinDialog, describe_error
from merchant_pos.ui.tasks import BackgroundTasks

if TYPE_CHECKING:
    from merchant_pos.ui.counter_window import CounterWindow

CHECK_EVERY_MS = 5_000  # how often the idle time is looked at (tests make it shorter)
POLICY_EVERY_MS = 5 * 60_000  # re-read the synced idle policy
_ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel,
             QEvent.Type.TouchBegin}


class LockReason(StrEnum):
    MANUAL = "manual"
    IDLE = "idle"


class LockScreen(QFrame):
    """The opaque panel over the whole window while the counter is locked."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.setAutoFillBackground(True)
        self.setStyleSheet("QFrame#lockScreen { background: #1f2a36; } "
                           "QFrame#lockScreen QLabel { color: #f4f6f8; } "
                           "QLabel#lockTitle { font-size: 34px; font-weight: 700; } "
                           "QLabel#lockMessage { color: #ffd38a; font-size: 17px; } "
                           "QPushButton#unlockButton { font-size: 22px; font-weight: 600; "
                           "min-width: 260px; min-height: 52px; background: #1a7f37; "
                           "color: white; border-radius: 8px; }")
        self.title = QLabel(self.tr("Counter locked"))
        self.title.setObjectName("lockTitle")
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.operator = QComboBox()
        self.operator.setEditable(False)
        self.operator.setMinimumWidth(260)
        self.pin = pin_field()
        self.pin.setPlaceholderText(self.tr("PIN"))
        self.pin.setMinimumWidth(260)
        self.unlock_button = QPushButton(self.tr("Unlock"))
        self.unlock_button.setObjectName("unlockButton")
        self.switch_button = QPushButton(self.tr("Switch operator"))
        self.locked_out = QPushButton(self.tr("Locked out? Unlock an account…"))
        self.message = QLabel()
        self.message.setObjectName("lockMessage")
        self.message.setWordWrap(True)
        for label in (self.title, self.reason, self.message):
            label.setMinimumWidth(560)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box = QVBoxLayout()
        box.addStretch(2)
        for widget in (self.title, self.reason, self.operator, self.pin, self.unlock_button,
                       self.message):
            box.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.switch_button)
        row.addWidget(self.locked_out)
        row.addStretch(1)
        box.addLayout(row)
        box.addStretch(3)
        self.setLayout(box)
        self.pin.returnPressed.connect(self.unlock_button.click)
        self.hide()

    def cover(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.raise_()


class CounterLock(QObject):
    """Locks and unlocks one counter window (manual, idle, switch operator)."""

    locked_changed = Signal(bool)

    def __init__(self, window: CounterWindow) -> None:
        super().__init__(window)
        self.window = window
        self.tasks = BackgroundTasks(self)
        services = window.services
        self.language = services.language
        self.staff: StaffManager = services.extras.get("staff") or StaffManager(
            services.operators)
        self.screen = LockScreen(window)
        self.screen.unlock_button.clicked.connect(self.try_unlock)
        self.screen.switch_button.clicked.connect(self._choose_operator)
        self.screen.locked_out.clicked.connect(self.unlock_account)
        self.screen.operator.currentTextChanged.connect(self._operator_chosen)
        self.locked = False
        self.supervisors: list[str] = []
        self._shortcuts: list[QShortcut] = []  # the window's shortcuts enabled before locking
        window.installEventFilter(self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self.check_idle)
        self.timer.start()
        self.policy_timer = QTimer(self)
        self.policy_timer.setInterval(POLICY_EVERY_MS)
        self.policy_timer.timeout.connect(self.refresh_policy)
        self.policy_timer.start()
        self.refresh_policy()

    # -- idle ---------------------------------------------------------------------------
    def refresh_policy(self) -> None:
        ledger = self.staff.ledger
        self.tasks.run(lambda: idle_lock_seconds(ledger), self._set_idle, lambda _e: None)

    def _set_idle(self, seconds: int) -> None:
        self.window.session.idle_seconds = seconds

    def check_idle(self) -> None:
        if not self.locked and self.window.session.is_locked:
            self.lock(LockReason.IDLE)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.window and self.locked:
            self.screen.cover()
        elif event.type() in _ACTIVITY and not self.locked:
            self.window.session.touch()
        return False

    # -- locking ------------------------------------------------------------------------
    def lock(self, reason: LockReason = LockReason.MANUAL) -> None:
        window, screen = self.window, self.screen
        window.session.lock()
        window.reset()  # the cart and the customer are gone
        for dialog in window.findChildren(QDialog):
            if dialog.isVisible():
                dialog.reject()
        self._set_enabled(False)
        name = window.session.operator.name
        screen.reason.setText(
            self.tr("Locked after {0} minutes without activity. {1}, enter your PIN to go on.")
            .format(window.session.idle_seconds // 60, name) if reason is LockReason.IDLE
            else self.tr("Locked by {0}. Enter the PIN to go on.").format(name))
        screen.message.clear()
        screen.operator.blockSignals(True)
        screen.operator.clear()
        screen.operator.addItem(name)
        screen.operator.blockSignals(False)
        self._operator_chosen(name)
        self.locked = True
        screen.show()
        screen.cover()
        screen.pin.clear()
        screen.pin.setFocus()
        self._load_names()
        self.locked_changed.emit(True)

    def refuse_scan(self) -> bool:
        """True (and a message on the lock screen) when the counter is locked."""
        if self.locked:
            self.screen.message.setText(self.tr("The counter is locked: the scan was not "
                                                "processed. Sign in first."))
        return self.locked

    def _set_enabled(self, enabled: bool) -> None:
        window = self.window
        central = window.centralWidget()
        for widget in (central, window.statusBar(), *window.findChildren(QWidget, "",
                       Qt.FindChildOption.FindDirectChildrenOnly)):
            if widget is not None and widget is not self.screen:
                widget.setEnabled(enabled)
        if not enabled:  # today's list, last receipt, undo...: none while locked
            self._shortcuts = [s for s in window.findChildren(QShortcut) if s.isEnabled()]
        for shortcut in self._shortcuts:
            shortcut.setEnabled(enabled)

    def _load_names(self) -> None:
        staff = self.staff
        self.tasks.run(staff.members, self._names_loaded, lambda _e: None)

    def _names_loaded(self, members: list[Any]) -> None:
        self.supervisors = [m.name for m in members if m.role is OperatorRole.SUPERVISOR]
        combo, current = self.screen.operator, self.window.session.operator.name
        combo.blockSignals(True)
        combo.clear()
        combo.addItems([m.name for m in members])
        combo.setCurrentText(current)
        combo.blockSignals(False)

    def _choose_operator(self) -> None:
        self.screen.operator.showPopup()

    def _operator_chosen(self, name: str) -> None:
        same = name == self.window.session.operator.name
        self.screen.unlock_button.setText(self.tr("Unlock") if same else
                                          self.tr("Sign in as {0}").format(name))

    # -- unlocking ----------------------------------------------------------------------
    def try_unlock(self) -> None:
        name, pin = self.screen.operator.currentText(), self.screen.pin.text()
        session, registry = self.window.session, self.staff.registry
        work: Callable[[], OperatorSession]
        if name == session.operator.name:
            def work() -> OperatorSession:
                registry.unlock(session, pin)
                return session
        else:
            def work() -> OperatorSession:
                return registry.sign_in(name, pin)
        self.screen.unlock_button.setEnabled(False)
        self.tasks.run(work, self._unlocked, self._refused)

    def _refused(self, exc: BaseException) -> None:
        self.screen.unlock_button.setEnabled(True)
        self.screen.pin.clear()
        self.screen.message.setText(describe_error(exc, self.language))
        if isinstance(exc, LedgerError) and exc.error in (LedgerErrorId.OPERATOR_LOCKED,
                                                          LedgerErrorId.PIN_KEY_CHANGED):
            self.screen.locked_out.setFocus()

    def _unlocked(self, session: OperatorSession) -> None:
        self.screen.unlock_button.setEnabled(True)
        if session.must_change_pin:
            dialog = SetPinDialog(self.staff, session.operator.name, self.language,
                                  parent=self.screen)
            if not dialog.exec():
                session.lock()
                self.screen.message.setText(self.tr("Choose a new PIN to go on."))
                return
            session.must_change_pin = False
        if session is not self.window.session:
            session.idle_seconds = self.window.session.idle_seconds  # the synced policy
            self.window.session = session
            self.window.settings.session = session  # settings: supervisor or not
            self.window.status.operator.setText(self.tr("Operator: {0}").format(
                session.operator.name))
        self.locked = False
        self.screen.hide()
        self._set_enabled(True)
        self.window.reset()
        self.locked_changed.emit(False)

    def ask_new_pin(self, exc: BaseException) -> SetPinDialog | None:
        """The ledger refused a redemption until a weak PIN is changed: ask for the new
        PIN; the cart stays, so Confirm again records it."""
        from merchant_pos.ui.pin_change import ask_new_pin

        window, then = self.window, self.tr("PIN changed. Press Confirm again.")

        def done(changed: bool) -> None:
            if changed:
                window.session.must_change_pin = False
                window.show_message(then, "success")

        return ask_new_pin(exc, self.staff, self.language, window, done)

    def unlock_account(self) -> AccountUnlockDialog:
        name = self.screen.operator.currentText()
        dialog = AccountUnlockDialog(self.staff, name, self.supervisors, self.language,
                                     self.screen)
        dialog.accepted.connect(lambda: self._account_unlocked(dialog.result_value))
        dialog.open()
        return dialog

    def _account_unlocked(self, fresh_recovery_code: str | None) -> None:
        self.screen.message.setText(self.tr("Unlocked. Enter the PIN."))
        if fresh_recovery_code:
            from merchant_pos.ui.staff_dialog import RecoveryCodeDialog

            RecoveryCodeDialog(fresh_recovery_code, self.screen).open()

