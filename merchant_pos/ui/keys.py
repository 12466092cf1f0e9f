"""The counter's keys, in one place, and how a button shows its key.

A barcode scanner types Base45 (digits, capital letters, space, ``$%*+-./:``)
and ends with Enter, so no counter action sits on a bare digit, letter, ``+``
or ``-``: categories, standard items and the quantity are on function keys
or keys with Ctrl.
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence

CATEGORY_KEYS = ("F1", "F2", "F3", "F4")
ITEM_KEYS = ("F5", "F6", "F7", "F8")
QTY_UP = "Ctrl+Up"
QTY_DOWN = "Ctrl+Down"
CONFIRM = "Enter"  # handled by the counter's key filter (not a shortcut: see counter_keys)
CLEAR = "Esc"
DELETE_LINE = "Del"
RECORDS = "Ctrl+R"
LOCK = "Ctrl+L"
SYNC = "F9"
PHOTO = "Ctrl+O"
TYPE_CODE = "Ctrl+K"
PASTE = "Ctrl+V"
UNDO = "Ctrl+Z"
RECEIPT = "Ctrl+P"
SETTINGS = "F10"
# The records screen (ui/records_keys.py).
VOID = "Del"
REPRINT = "Ctrl+P"


def key_text(keys: str) -> str:
    """The key as printed on the keyboard (``Ctrl+R``, ``F1``, ``Enter``)."""
    return QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText) or keys


def with_key(text: str, keys: str) -> str:
    """A button's text with its key: ``Confirm (Enter)``."""
    return f"{text} ({key_text(keys)})"
