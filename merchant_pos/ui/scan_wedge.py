"""Keyboard-wedge barcode scanners anywhere in the main window.

:class:`WedgeScanFilter` watches the key presses sent to any widget of one
window. Printable keys are held back for a moment (at most ``max_gap_ms``,
50 ms, unnoticeable when typing): a fast burst ending in Enter is a scan
and is emitted as ``scanned`` without ever reaching the focused field; any
pause, or any other key, hands the held keys to the widget they were meant
for, in order, so typing works as usual.

A Chinese input method would swallow the scanner's keys into its
composition window, so the fields where a scan may land disable the input
method (:func:`make_scanner_field`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from merchant_pos.scan.classify import ScanSource, classify
from merchant_pos.scan.debounce import Debouncer
from merchant_pos.scan.wedge import MAX_GAP_MS, MIN_LENGTH, WedgeDetector

REPLAYED = 0x4D504F53  # nativeScanCode of the keys this filter hands on ("MPOS")
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
# A USB scanner presses Shift for every capital letter, like a keyboard does;
# modifier keys on their own neither start nor break a burst.
_MODIFIER_KEYS = frozenset({
    Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_AltGr,
    Qt.Key.Key_Meta, Qt.Key.Key_CapsLock, Qt.Key.Key_NumLock,
})
_PLAIN = (
    Qt.KeyboardModifier.NoModifier,
    Qt.KeyboardModifier.ShiftModifier,
    Qt.KeyboardModifier.KeypadModifier,
)


@dataclass(frozen=True)
class _HeldKey:
    receiver: QWidget
    key: int
    modifiers: Qt.KeyboardModifier
    text: str


def make_scanner_field(widget: QWidget) -> QWidget:
    """Make ``widget`` safe for scanner input: no input method (so a Chinese
    IME cannot turn the scanner's letters into a composition), Latin-only
    hints, no prediction or auto-capitalisation."""
    widget.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
    widget.setInputMethodHints(
        Qt.InputMethodHint.ImhLatinOnly
        | Qt.InputMethodHint.ImhPreferLatin
        | Qt.InputMethodHint.ImhNoPredictiveText
        | Qt.InputMethodHint.ImhNoAutoUppercase
        | Qt.InputMethodHint.ImhSensitiveData
    )
    return widget


class ScanCodeField(QLineEdit):
    """A line edit for codes (typed by hand or scanned), with the IME off."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        make_scanner_field(self)
        self.setPlaceholderText(self.tr("Scan or type the beneficiary code"))


class WedgeScanFilter(QObject):
    """Tells scanner bursts from typing in every widget of ``window``.

    ``scanned`` carries a :class:`~merchant_pos.scan.classify.ScanEvent`
    (source SCANNER). Pass the camera's :class:`Debouncer` to make a code
    read by both the camera and the scanner count once.
    """

    scanned = Signal(object)

    def __init__(
        self,
        window: QWidget,
        *,
        debouncer: Debouncer | None = None,
        max_gap_ms: float = MAX_GAP_MS,
        min_length: int = MIN_LENGTH,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.debouncer = debouncer
        self.detector = WedgeDetector(max_gap_ms=max_gap_ms, min_length=min_length)
        self._held: list[_HeldKey] = []
        self._os_clock: bool | None = None
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(int(max_gap_ms) + 10)
        self._pause.timeout.connect(self.release_held)
        self.scans = 0

    def install(self) -> WedgeScanFilter:
        """Watch the window's key events (an application-level filter, since key
        events go to the focused child, not the window)."""
        app = QApplication.instance()
        if app is None:
            raise RuntimeError("a QApplication must exist")
        app.installEventFilter(self)
        return self

    def uninstall(self) -> None:
        self.release_held()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    # -- the filter ----------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress:
            return False
        assert isinstance(event, QKeyEvent)
        if event.nativeScanCode() == REPLAYED:
            return False
        if not isinstance(watched, QWidget) or not self._belongs(watched):
            return False
        assert isinstance(event, QKeyEvent)
        now = self._time_ms(event)
        text = event.text()
        if event.key() in _ENTER_KEYS:
            return self._enter(now)
        if event.key() in _MODIFIER_KEYS:
            return False
        if (
            len(text) == 1 and text.isprintable() and not event.isAutoRepeat()
            and event.modifiers() in _PLAIN
        ):
            if self.detector.pause_exceeded(now):
                self.release_held()
            self.detector.key(text, now)
            self._held.append(_HeldKey(watched, event.key(), event.modifiers(), text))
            self._pause.start()
            return True
        self.release_held()  # another key (Backspace, Tab, a shortcut): typing
        return False

    def _belongs(self, widget: QWidget) -> bool:
        """A widget of the window, or of a dialog opened on it (a scan while a dialog is
        open is still a scan, not text typed into the dialog's field)."""
        top: QWidget | None = widget.window()
        while top is not None:
            if top is self.window:
                return True
            parent = top.parentWidget()
            top = parent.window() if parent is not None else None
        return False

    def _time_ms(self, event: QKeyEvent) -> float:
        # The window system's timestamp is when the key was pressed, even if
        # the UI thread was busy; synthetic events (QTest) carry 0.
        stamp = event.timestamp()
        os_clock = stamp != 0
        if self._os_clock is not None and os_clock != self._os_clock:
            self.release_held()
        self._os_clock = os_clock
        return float(stamp) if os_clock else time.monotonic() * 1000.0

    def _enter(self, now: float) -> bool:
        text = self.detector.enter(now)
        if text is None:
            self.release_held()
            return False  # a person pressed Enter: let it through
        self._held.clear()
        self._pause.stop()
        event = classify(text, ScanSource.SCANNER)
        if event.text and (self.debouncer is None or self.debouncer.accept(event.text)):
            self.scans += 1
            self.scanned.emit(event)
        return True

    def release_held(self) -> None:
        """Deliver the held keys as ordinary typing, in order."""
        self._pause.stop()
        self.detector.take()
        held, self._held = self._held, []
        if not held:
            return
        for key in held:
            if not shiboken6.isValid(key.receiver):
                continue  # the widget was closed while its keys were held
            # Press and release: the real release went by while the key was held, and a
            # button (Space) clicks on the release. Marked, not flagged: a replayed key may
            # open a dialog whose event loop must still see scanner bursts.
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                replay = QKeyEvent(kind, key.key, key.modifiers, REPLAYED, 0, 0, key.text)
                QCoreApplication.sendEvent(key.receiver, replay)
