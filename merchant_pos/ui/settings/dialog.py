"""The settings screen: page titles on the left, the chosen page on the right."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from merchant_pos.store.settings import Setting, SettingsSnapshot, SettingValue
from merchant_pos.ui.settings.page import SettingsPage


class SettingsDialog(QDialog):
    """Edits a snapshot of the settings; on OK, :meth:`changes` holds what to save.

    Nothing is saved here: the owner stores :meth:`changes` through
    ``CounterSettings.update`` off the UI thread. OK is refused, with the page's
    message shown and the page opened, while any page reports a problem.
    """

    def __init__(self, snapshot: SettingsSnapshot, pages: Sequence[SettingsPage],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self.pages = list(pages)
        self._changes: dict[Setting[SettingValue], SettingValue] = {}
        self.index = QListWidget()
        self.index.setObjectName("settingsIndex")
        self.stack = QStackedWidget()
        for page in self.pages:
            page.load(snapshot)
            self.index.addItem(page.title())
            self.stack.addWidget(page)
        self.index.currentRowChanged.connect(self._show_page)
        self.index.setMaximumWidth(220)
        self.empty = QLabel(self.tr("Nothing to set up here yet."))
        self.empty.setVisible(not self.pages)
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        body = QHBoxLayout()
        body.addWidget(self.index)
        body.addWidget(self.stack, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        if self.pages:
            self.index.setCurrentRow(0)
        self.resize(760, 520)

    def _show_page(self, row: int) -> None:
        if not 0 <= row < len(self.pages):
            return
        self.stack.setCurrentIndex(row)
        first = self.pages[row].first_field()
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_page(self, title: str) -> bool:
        """Open the page titled ``title`` (tests and shortcuts); False if there is none."""
        for row, page in enumerate(self.pages):
            if page.title() == title:
                self.index.setCurrentRow(row)
                return True
        return False

    def accept(self) -> None:
        changes: dict[Setting[SettingValue], SettingValue] = {}
        for row, page in enumerate(self.pages):
            problem = page.problem()
            if problem:
                self.index.setCurrentRow(row)
                self.error.setText(f"{page.title()}: {problem}")
                return
            changes.update(page.changes())
        self._changes = changes
        super().accept()

    def changes(self) -> dict[Setting[SettingValue], SettingValue]:
        """What the user changed on every page (valid once the dialog was accepted)."""
        return dict(self._changes)
