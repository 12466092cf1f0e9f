"""A real counter window on the embedded demo server (canteen, baby shop or clinic), and the
keyboard of the person at it: scanner bursts and keys as Qt key events, nothing else."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from merchant_pos.app import DEMO_CASHIER, DEMO_CASHIER_PIN, DemoWorld, start_demo
from merchant_pos.server import admin
from merchant_pos.store.redemptions import Receipt
from merchant_pos.ui.counter_app import counter_services
from merchant_pos.ui.counter_window import CounterPreferences, CounterWindow
from merchant_pos.ui.feedback import Feedback
from merchant_pos.ui.theme import apply_theme

SCANNER_GAP_MS = 3
PERSON_GAP_MS = 250
TEXT_KEYS = {Qt.Key.Key_Return: "\r", Qt.Key.Key_Escape: "\x1b", Qt.Key.Key_Delete: "\x7f"}
PROGRAM = {"canteen-01": "elder-meal-2026", "baby-shop-01": "jss-baby-2023",
           "clinic-01": "clinic-checkup-2026"}


@dataclass
class Counter:
    world: DemoWorld
    window: CounterWindow
    qtbot: QtBot
    keys: int = 0  # key actions the clerk made (a scanner burst counts as one)
    stamp: int = 10_000_000  # the key events' window-system timestamp, in ms

    @property
    def merchant(self) -> str:
        profile = self.world.pos.settings.load_profile()
        assert profile is not None
        return profile.merchant_id

    def new_codes(self, n: int, prefix: str = "RUSH") -> list[str]:
        """``n`` fresh beneficiaries of this shop's program, codes issued by the server."""
        engine, now = self.world.server.engine, int(time.time())
        codes = []
        for i in range(n):
            sub = admin.add_beneficiary(engine, program_id=PROGRAM[self.merchant],
                                        name=f"测试{i}", sub=f"B-{prefix}-{i:03d}", now=now)
            codes.append(admin.issue_beneficiary_code(engine, sub, now=now).text)
        return codes

    def target(self) -> QWidget:
        focus = QApplication.focusWidget()
        if focus is not None and focus.isVisible():
            return focus
        return self.window.entry.amount

    # Printable keys, Enter, Esc and Delete carry the window system's timestamp, as real
    # ones do, so a burst and a person's typing differ by the stamps, not by the speed of
    # this machine (see WedgeScanFilter._time_ms). Shortcuts go through QTest.
    def _send(self, widget: QWidget, key: int, text: str, gap_ms: int) -> None:
        self.stamp += gap_ms
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text)
            event.setTimestamp(self.stamp)
            QApplication.sendEvent(widget, event)

    def _chars(self, widget: QWidget, text: str, gap_ms: int) -> None:
        for ch in text:
            self._send(widget, ord(ch.upper()) if ch.isascii() else 0, ch, gap_ms)

    def scan(self, code: str, widget: QWidget | None = None) -> None:
        """A USB scanner: the whole code 3 ms a key, then Enter."""
        w = widget or self.target()
        self._chars(w, code, SCANNER_GAP_MS)
        self._send(w, Qt.Key.Key_Return, "\r", SCANNER_GAP_MS)
        self.keys += 1

    def key(self, key: Qt.Key, mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
            widget: QWidget | None = None) -> None:
        w = widget or self.target()
        if mods == Qt.KeyboardModifier.NoModifier and key in TEXT_KEYS:
            self._send(w, key, TEXT_KEYS[key], PERSON_GAP_MS)
        else:
            self.qtbot.keyClick(w, key, mods)
        self.keys += 1

    def type(self, text: str, widget: QWidget | None = None) -> None:
        """A person typing: 250 ms a key, so every key reaches the field."""
        self._chars(widget or self.target(), text, PERSON_GAP_MS)
        self.keys += len(text)

    def scan_and_wait(self, code: str) -> None:
        with self.qtbot.waitSignal(self.window.quoted, timeout=15_000):
            self.scan(code)

    def enter_and_wait(self) -> Receipt:
        with self.qtbot.waitSignal(self.window.redeemed, timeout=15_000) as sig:
            self.key(Qt.Key.Key_Return)
        receipt: Receipt = sig.args[0]
        return receipt


def close_counter(qtbot: QtBot, window: CounterWindow) -> None:
    """Close without the last sync on close (tests/ui/test_setup_and_close.py covers it)."""
    window.final_sync.done = True
    window.close()


def open_counter(qtbot: QtBot, folder: Path, merchant: str, language: str = "en",
                 auto_confirm: bool = False) -> Iterator[Counter]:
    world = start_demo(folder, merchant)
    try:
        services = counter_services(world.pos, language)
        services.feedback = Feedback()
        services.preferences = CounterPreferences(auto_confirm=auto_confirm)
        session = world.pos.operators.sign_in(DEMO_CASHIER, DEMO_CASHIER_PIN)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        apply_theme(app)
        window = CounterWindow(services, session)
        qtbot.addWidget(window)
        window.resize(1366, 768)
        with qtbot.waitActive(window):
            window.show()
            window.activateWindow()
        window.entry.amount.setFocus()
        yield Counter(world, window, qtbot)
        close_counter(qtbot, window)
    finally:
        world.close()


@pytest.fixture
def canteen(qtbot: QtBot, tmp_path: Path) -> Iterator[Counter]:
    yield from open_counter(qtbot, tmp_path, "canteen-01")


@pytest.fixture
def baby_shop(qtbot: QtBot, tmp_path: Path) -> Iterator[Counter]:
    yield from open_counter(qtbot, tmp_path, "baby-shop-01")
