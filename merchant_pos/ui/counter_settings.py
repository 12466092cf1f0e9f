"""The settings screen's "counter" page: auto-confirm, sounds, text size.

The settings live in the ledger (:mod:`merchant_pos.store.settings`); the
screen opens only for a supervisor, so auto-confirm is a supervisor's choice.
:func:`preferences` turns a snapshot into the window's
:class:`~merchant_pos.ui.counter_services.CounterPreferences`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QFormLayout, QLabel, QWidget

from merchant_pos.store.settings import Setting, SettingsSnapshot, SettingValue
from merchant_pos.store.undo import UNDO_SECONDS
from merchant_pos.ui.counter_services import CounterPreferences
from merchant_pos.ui.settings.page import SettingsPage, changed_values
from merchant_pos.ui.theme import FONT_SCALES, apply_theme

if TYPE_CHECKING:
    from merchant_pos.ui.counter_services import CounterServices
    from merchant_pos.ui.feedback import Feedback

AUTO_CONFIRM = Setting("counter.auto_confirm", False)
SOUNDS = Setting("counter.sounds", True)
TEXT_SIZE = Setting("counter.text_size", 100, choices=FONT_SCALES)
COUNTER_SETTINGS = (AUTO_CONFIRM, SOUNDS, TEXT_SIZE)


def preferences(snapshot: SettingsSnapshot) -> CounterPreferences:
    return CounterPreferences(auto_confirm=snapshot.get(AUTO_CONFIRM),
                              sounds=snapshot.get(SOUNDS), text_scale=snapshot.get(TEXT_SIZE))


def apply_preferences(services: CounterServices, feedback: Feedback,
                      snapshot: SettingsSnapshot) -> None:
    """The counter page's settings, applied to a running counter at once (no restart)."""
    prefs = preferences(snapshot)
    scale_changed = prefs.text_scale != services.preferences.text_scale
    services.preferences = prefs
    feedback.enabled = prefs.sounds
    app = QApplication.instance()
    if scale_changed and isinstance(app, QApplication):
        apply_theme(app, prefs.text_scale)


class CounterPage(SettingsPage):
    """Auto-confirm (off by default), sounds on/off, text size 100/125/150 %."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.auto_confirm = QCheckBox(self.tr("Confirm on the scan (single-item programs)"))
        explain = QLabel(self.tr(
            "For a canteen or clinic: the scan alone records the standard item, never twice "
            "for the same code without another code or Esc in between. The clerk has {0} "
            "seconds to undo (Ctrl+Z).").format(UNDO_SECONDS))
        explain.setWordWrap(True)
        explain.setObjectName("muted")
        self.sounds = QCheckBox(self.tr("Sounds for accepted, refused and nothing covered"))
        self.text_size = QComboBox()
        for scale in FONT_SCALES:
            self.text_size.addItem(f"{scale} %", scale)
        form = QFormLayout(self)
        form.addRow(self.auto_confirm)
        form.addRow(explain)
        form.addRow(self.sounds)
        form.addRow(self.tr("Text size"), self.text_size)
        self._snapshot: SettingsSnapshot | None = None

    def title(self) -> str:
        return self.tr("Counter")

    def load(self, snapshot: SettingsSnapshot) -> None:
        self._snapshot = snapshot
        self.auto_confirm.setChecked(snapshot.get(AUTO_CONFIRM))
        self.sounds.setChecked(snapshot.get(SOUNDS))
        self.text_size.setCurrentIndex(max(0, self.text_size.findData(snapshot.get(TEXT_SIZE))))

    def wanted(self) -> dict[Setting[SettingValue], SettingValue]:
        return {AUTO_CONFIRM: self.auto_confirm.isChecked(), SOUNDS: self.sounds.isChecked(),
                TEXT_SIZE: int(self.text_size.currentData())}

    def changes(self) -> dict[Setting[SettingValue], SettingValue]:
        if self._snapshot is None:
            return {}
        return changed_values(self._snapshot, self.wanted())

    def first_field(self) -> QWidget | None:
        return self.auto_confirm


def counter_page(_services: CounterServices) -> SettingsPage:
    return CounterPage()
