"""Settings pages: language, the server (test connection, re-enroll), staff.

A changed language applies at once, without a restart: the counter window is
rebuilt in it when no sale is in progress, else after this customer
(:mod:`merchant_pos.ui.language_switch`). Staff opens the staff screen for the
supervisor who opened settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from merchant_pos.store import Operator, OperatorRole
from merchant_pos.store.device_settings import CAMERA, DECODER, LANGUAGE
from merchant_pos.store.settings import Setting, SettingsSnapshot, SettingValue
from merchant_pos.store.staff import StaffManager
from merchant_pos.sync.health import check_server
from merchant_pos.ui.settings.camera_page import apply_camera
from merchant_pos.ui.settings.page import SettingsPage, changed_values
from merchant_pos.ui.staff_dialog import StaffDialog
from merchant_pos.ui.tasks import BackgroundTasks

if TYPE_CHECKING:
    from merchant_pos.ui.counter_window import CounterServices, CounterWindow


class LanguagePage(SettingsPage):
    def __init__(self, services: CounterServices) -> None:
        super().__init__()
        self.snapshot = SettingsSnapshot()
        self.language = QComboBox()
        self.language.addItem(self.tr("As the computer is set"), "")
        self.language.addItem("中文（简体）", "zh_CN")
        self.language.addItem("English", "en")
        note = QLabel(self.tr("The counter switches to the new language when you press OK; "
                              "during a sale, as soon as the cart is empty."))
        note.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(self.tr("Language"), self.language)
        form.addRow(note)

    def title(self) -> str:
        return self.tr("Language")

    def first_field(self) -> QWidget:
        return self.language

    def load(self, snapshot: SettingsSnapshot) -> None:
        self.snapshot = snapshot
        self.language.setCurrentIndex(max(0, self.language.findData(snapshot.get(LANGUAGE))))

    def changes(self) -> dict[Setting[SettingValue], SettingValue]:
        return changed_values(self.snapshot, {LANGUAGE: str(self.language.currentData())})


class ServerPage(SettingsPage):
    """The server this counter syncs with; test a connection; connect anew."""

    def __init__(self, services: CounterServices) -> None:
        super().__init__()
        self.services = services
        self.tasks = BackgroundTasks(self)
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://pos.example.org")
        self.result = QLabel()
        self.result.setWordWrap(True)
        test = QPushButton(self.tr("Test connection"))
        test.clicked.connect(self.test_connection)
        self.enroll_button = QPushButton(self.tr("Connect to this server anew…"))
        self.enroll_button.clicked.connect(self.re_enroll)
        self.enroll_button.setEnabled(services.extras.get("pos") is not None)
        row = QHBoxLayout()
        row.addWidget(test)
        row.addWidget(self.enroll_button)
        row.addStretch(1)
        note = QLabel(self.tr("Moving to another server needs a new one-time enrollment code "
                              "from the foundation."))
        note.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(self.tr("Server address"), self.url)
        form.addRow(row)
        form.addRow(self.result)
        form.addRow(note)
        sync = services.sync
        if sync is not None:  # the token store may be the OS keyring: not on the UI thread
            self.tasks.run(sync.tokens.load, self._loaded, lambda _e: None)

    def _loaded(self, token: Any) -> None:
        if token is not None and not self.url.text():
            self.url.setText(token.server_url)

    def title(self) -> str:
        return self.tr("Server")

    def first_field(self) -> QWidget:
        return self.url

    def load(self, snapshot: SettingsSnapshot) -> None:
        pass

    def changes(self) -> dict[Setting[SettingValue], SettingValue]:
        return {}

    def test_connection(self) -> None:
        url, lang = self.url.text(), self.services.language
        self.result.setText(self.tr("Connecting…"))
        self.tasks.run(lambda: check_server(url).message(lang), self.result.setText,
                       lambda exc: self.result.setText(str(exc)))

    def re_enroll(self) -> None:
        from merchant_pos.ui.enroll_dialog import EnrollDialog

        dialog = EnrollDialog(self.services.extras["pos"], self.services.language, self)
        dialog.url.setText(self.url.text())
        dialog.accepted.connect(lambda: self.result.setText(
            self.tr("Connected. Restart the counter to use the new server's data.")))
        dialog.open()


class StaffPage(SettingsPage):
    """Staff management from the settings screen (for the supervisor who opened it)."""

    def __init__(self, services: CounterServices) -> None:
        super().__init__()
        self.services = services
        self.staff: StaffManager = services.extras.get("staff") or StaffManager(
            services.operators)
        button = QPushButton(self.tr("Manage staff…"))
        button.clicked.connect(self.open_staff)
        text = QLabel(self.tr("Add or remove cashiers and supervisors, set PINs, unlock "
                              "locked accounts, make a new recovery code."))
        text.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(text)
        form.addRow(button)
        self.dialog: StaffDialog | None = None
        self.tasks = BackgroundTasks(self)

    def title(self) -> str:
        return self.tr("Staff")

    def load(self, snapshot: SettingsSnapshot) -> None:
        pass

    def changes(self) -> dict[Setting[SettingValue], SettingValue]:
        return {}

    def open_staff(self) -> None:
        """The staff screen, acting as the supervisor who opened the settings."""
        controller = self.services.extras.get("settings_controller")
        supervisor_id = int(getattr(controller, "supervisor_id", None) or 0)
        staff = self.staff
        self.tasks.run(lambda: staff.name_of(supervisor_id) or "",
                       lambda name: self._open(supervisor_id, name), lambda _e: None)

    def _open(self, supervisor_id: int, name: str) -> None:
        # The ledger re-checks that this id is an active supervisor on every change.
        by = Operator(supervisor_id, name, OperatorRole.SUPERVISOR)
        self.dialog = StaffDialog(self.staff, by, self.services.language, self)
        self.dialog.open()


def connect_setup(window: CounterWindow) -> None:
    """Apply saved camera and language changes at once (the language between customers)."""
    from merchant_pos.ui.language_switch import LanguageSwitch

    window.services.extras["settings_controller"] = window.settings
    switch = window.services.extras["language_switch"] = LanguageSwitch(window)

    def applied(changed: list[str], snapshot: SettingsSnapshot) -> None:
        if CAMERA.key in changed or DECODER.key in changed:
            apply_camera(window, snapshot.get(CAMERA), snapshot.get(DECODER))
        if LANGUAGE.key in changed:
            switch.request(snapshot.get(LANGUAGE))

    window.settings_changed.connect(applied)
