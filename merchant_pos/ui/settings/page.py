"""The base of every settings page: load a snapshot, say what changed, say what is wrong."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QWidget

from merchant_pos.store.settings import Setting, SettingsSnapshot, SettingValue

SettingChanges = Mapping[Setting[SettingValue], SettingValue]


class SettingsPage(QWidget):
    """One page of the settings screen.

    The dialog calls :meth:`load` once with the settings as read, then, on OK,
    :meth:`problem` (a message in the user's language, or ``None``) and
    :meth:`changes` (only the values the user actually changed). Pages never
    read or write the ledger themselves: the dialog's owner does that off the
    UI thread.
    """

    def title(self) -> str:
        raise NotImplementedError

    def load(self, snapshot: SettingsSnapshot) -> None:
        raise NotImplementedError

    def changes(self) -> dict[Setting[SettingValue], SettingValue]:
        raise NotImplementedError

    def problem(self) -> str | None:
        return None

    def first_field(self) -> QWidget | None:
        """The widget that gets focus when the page is shown (its first input)."""
        return None


def changed_values(snapshot: SettingsSnapshot,
                   wanted: Mapping[Setting[SettingValue], SettingValue],
                   ) -> dict[Setting[SettingValue], SettingValue]:
    """The entries of ``wanted`` that differ from ``snapshot`` (a helper for pages)."""
    return {setting: value for setting, value in wanted.items()
            if snapshot.get(setting) != value or type(snapshot.get(setting)) is not type(value)}
