"""The counter's keyboard: Enter confirms, Esc clears, Delete removes a line, Ctrl+V pastes
a screenshot, and the window shortcuts (records, lock, sync, photo, typed code, undo, receipt).

Enter and Esc are read by an application event filter installed *before* the
scanner filter (Qt asks the last-installed filter first): a scanner burst,
which always ends in Enter, is taken by the scanner filter and never reaches
this one. Enter in a price field with text adds the line instead; Enter on a
focused button presses that button.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QApplication, QLineEdit, QWidget

from merchant_pos.ui import keys
from merchant_pos.ui.scan_photo import image_paths

if TYPE_CHECKING:
    from merchant_pos.ui.counter_window import CounterWindow

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def clipboard_has_image() -> bool:
    mime = QGuiApplication.clipboard().mimeData()
    return mime is not None and (mime.hasImage() or bool(image_paths(mime)))


class CounterKeys(QObject):
    """Installs the counter's keys on ``window``."""

    def __init__(self, window: CounterWindow) -> None:
        super().__init__(window)
        self.window = window
        self.shortcuts: list[QShortcut] = []
        w = window
        for seq, action in ((keys.RECORDS, w.open_records), (keys.LOCK, w.lock),
                            (keys.SYNC, w.status.sync_now), (keys.PHOTO, w.open_photo),
                            (keys.TYPE_CODE, w.type_code), (keys.UNDO, w.undo_last),
                            (keys.RECEIPT, w.show_receipt), (keys.SETTINGS, w.settings.open)):
            self.add(seq, action)

    def add(self, seq: str, action: Callable[[], object]) -> QShortcut:
        shortcut = QShortcut(QKeySequence(seq), self.window)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(action)
        self.shortcuts.append(shortcut)
        return shortcut

    def install(self) -> CounterKeys:
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        return self

    def uninstall(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(watched, QWidget):
            return False
        if watched.window() is not self.window:
            return False  # dialogs keep their own Enter and Esc
        assert isinstance(event, QKeyEvent)
        key, mods = event.key(), event.modifiers()
        plain = mods in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        focus = QApplication.focusWidget()
        if key in _ENTER and plain:
            return self._enter(focus)
        if key == Qt.Key.Key_Escape and plain:
            self.window.clear_to_next()
            return True
        if key == Qt.Key.Key_Delete and plain:
            if isinstance(focus, QLineEdit) and focus.text():
                return False  # deleting a character
            self.window.remove_selected_line()
            return True
        if event.matches(QKeySequence.StandardKey.Paste) and clipboard_has_image():
            return self.window.paste_image()
        if event.matches(QKeySequence.StandardKey.Undo) and self.window.undo_offered():
            self.window.undo_last()  # before the price field takes Ctrl+Z for itself
            return True
        return False

    def _enter(self, focus: QWidget | None) -> bool:
        w = self.window
        if w.asking is not None:
            w.answer_discard()
            return True
        if isinstance(focus, QLineEdit | QAbstractSpinBox) and focus is not w.entry.qty:
            text = focus.text() if isinstance(focus, QLineEdit) else ""
            if text.strip():
                return False  # the price field adds its line
        elif isinstance(focus, QAbstractButton) and focus is not w.confirm:
            focus.click()
            return True
        w.confirm_redemption()
        return True
