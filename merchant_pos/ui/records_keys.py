"""The records screen on the keyboard alone.

Typing starts in the search field; Up, Down, Page Up and Page Down there move through the
list, and Tab goes on to the list itself. The list always has a row picked when it has
rows (the first one, or after a reload the same redemption as before), so the void and
the reprint act on what the clerk sees highlighted. Del voids the picked row and Ctrl+P
reprints it; each button shows its key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication

from merchant_pos.ui import keys
from merchant_pos.ui.keys import with_key

if TYPE_CHECKING:
    from merchant_pos.ui.records_dialog import RecordsDialog

_MOVES = (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown)


class RecordsKeys(QObject):
    """Installed by :class:`RecordsDialog` on itself (``dialog.keys``)."""

    def __init__(self, dialog: RecordsDialog) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self._picked: str | None = None  # redemption id of the row picked before a reload
        d = dialog
        for button, seq, action in ((d.void_button, keys.VOID, d.void_selected),
                                    (d.reprint_button, keys.REPRINT, d.reprint_selected)):
            button.setText(with_key(button.text(), seq))
            # In the search field Del deletes a character (the field takes the key first).
            shortcut = QShortcut(QKeySequence(seq), d)
            shortcut.activated.connect(action)
        d.setTabOrder(d.search, d.table)
        d.model.modelAboutToBeReset.connect(self._remember)
        d.model.modelReset.connect(self._restore)
        d.search.installEventFilter(self)
        d.installEventFilter(self)

    def _remember(self) -> None:
        picked = self.dialog.selected()
        self._picked = picked.redemption_id if picked is not None else self._picked

    def _restore(self) -> None:
        d = self.dialog
        rows = [r.redemption_id for r in d.model.receipts]
        if not rows:
            return
        row = rows.index(self._picked) if self._picked in rows else 0
        d.table.selectRow(row)  # current and selected: arrow keys move on from here
        self._picked = rows[row]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        d = self.dialog
        if watched is d and event.type() == QEvent.Type.Show:
            QTimer.singleShot(0, d.search.setFocus)  # after Qt has focused a button
        elif (watched is d.search and event.type() == QEvent.Type.KeyPress
              and isinstance(event, QKeyEvent) and event.key() in _MOVES):
            QApplication.sendEvent(d.table, QKeyEvent(event.type(), event.key(),
                                                      event.modifiers()))
            return True
        return False
