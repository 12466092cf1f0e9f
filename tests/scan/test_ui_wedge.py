"""Keyboard-wedge scanners: QTest key clicks at scanner speed and at human speed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QMainWindow, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from merchant_pos.scan.classify import CodeKind, ScanSource
from merchant_pos.scan.debounce import Debouncer
from merchant_pos.scan.messages import ScanMessage
from merchant_pos.scan.wedge import WedgeDetector
from merchant_pos.ui.scan_wedge import ScanCodeField, WedgeScanFilter

HUMAN_MS = 90  # a quick typist; people type at 80-250 ms per key


@dataclass
class Counter:
    window: QMainWindow
    name: QLineEdit
    code: ScanCodeField
    button: QPushButton
    wedge: WedgeScanFilter


@pytest.fixture
def counter(qtbot: QtBot) -> Iterator[Counter]:
    window = QMainWindow()
    body = QWidget()
    layout = QVBoxLayout(body)
    name, code, button = QLineEdit(), ScanCodeField(), QPushButton("OK")
    for w in (name, code, button):
        layout.addWidget(w)
    window.setCentralWidget(body)
    qtbot.addWidget(window)
    window.show()
    wedge = WedgeScanFilter(window, debouncer=Debouncer(3.0)).install()
    yield Counter(window, name, code, button, wedge)
    wedge.uninstall()


def scan(field: QWidget, text: str) -> None:
    """What a wedge scanner does: the whole text at USB speed, then Enter."""
    QTest.keyClicks(field, text)
    QTest.keyClick(field, Qt.Key.Key_Return)


def test_a_scanner_burst_is_a_scan_not_typing(
    qtbot: QtBot, counter: Counter, bc1_texts: list[str]
) -> None:
    counter.name.setFocus()
    returns: list[int] = []
    counter.name.returnPressed.connect(lambda: returns.append(1))
    with qtbot.waitSignal(counter.wedge.scanned, timeout=1000) as got:
        scan(counter.name, bc1_texts[0])
    event = got.args[0]
    assert event.text == bc1_texts[0]
    assert event.kind is CodeKind.BENEFICIARY and event.source is ScanSource.SCANNER
    assert counter.name.text() == ""  # nothing leaked into the focused field
    assert returns == []  # nor did its Enter


def test_a_scanner_pressing_shift_for_capitals_is_still_a_scan(
    qtbot: QtBot, counter: Counter, bc1_texts: list[str]
) -> None:
    # a USB HID scanner sends Shift down, the letter, Shift up, for each capital
    with qtbot.waitSignal(counter.wedge.scanned, timeout=1000) as got:
        for ch in bc1_texts[0]:
            if ch.isupper():
                QTest.keyPress(counter.name, Qt.Key.Key_Shift)
                QTest.keyClicks(counter.name, ch)
                QTest.keyRelease(counter.name, Qt.Key.Key_Shift)
            else:
                QTest.keyClicks(counter.name, ch)
        QTest.keyClick(counter.name, Qt.Key.Key_Return)
    assert got.args[0].text == bc1_texts[0]
    assert counter.name.text() == ""


def test_typing_at_human_speed_reaches_the_field(qtbot: QtBot, counter: Counter) -> None:
    returns: list[int] = []
    counter.name.returnPressed.connect(lambda: returns.append(1))
    with qtbot.assertNotEmitted(counter.wedge.scanned):
        QTest.keyClicks(counter.name, "Wang Fang 2", delay=HUMAN_MS)
        qtbot.waitUntil(lambda: counter.name.text() == "Wang Fang 2", timeout=2000)
        QTest.keyClick(counter.name, Qt.Key.Key_Return, delay=HUMAN_MS)
    assert returns == [1]


def test_a_short_fast_burst_with_enter_is_still_typing(qtbot: QtBot, counter: Counter) -> None:
    returns: list[int] = []
    counter.name.returnPressed.connect(lambda: returns.append(1))
    with qtbot.assertNotEmitted(counter.wedge.scanned):
        scan(counter.name, "12")  # e.g. a quantity typed quickly
    assert counter.name.text() == "12" and returns == [1]


def test_held_keys_come_back_in_order_before_other_keys(qtbot: QtBot, counter: Counter) -> None:
    QTest.keyClicks(counter.name, "abc")  # fast, then Backspace
    QTest.keyClick(counter.name, Qt.Key.Key_Backspace)
    assert counter.name.text() == "ab"


def test_typing_then_scanning_keeps_both_apart(
    qtbot: QtBot, counter: Counter, bc1_texts: list[str]
) -> None:
    QTest.keyClicks(counter.code, "ab", delay=HUMAN_MS)
    qtbot.waitUntil(lambda: counter.code.text() == "ab", timeout=2000)
    with qtbot.waitSignal(counter.wedge.scanned, timeout=1000) as got:
        scan(counter.code, bc1_texts[1])
    assert got.args[0].text == bc1_texts[1]
    assert counter.code.text() == "ab"


def test_a_scan_works_whichever_widget_has_focus(
    qtbot: QtBot, counter: Counter, bc1_texts: list[str]
) -> None:
    with qtbot.waitSignal(counter.wedge.scanned, timeout=1000) as got:
        scan(counter.button, bc1_texts[2])
    assert got.args[0].text == bc1_texts[2]


def test_the_same_code_scanned_twice_quickly_is_one_scan(
    qtbot: QtBot, counter: Counter, bc1_texts: list[str]
) -> None:
    with qtbot.waitSignal(counter.wedge.scanned, timeout=1000):
        scan(counter.code, bc1_texts[0])
    with qtbot.assertNotEmitted(counter.wedge.scanned):
        scan(counter.code, bc1_texts[0])
    assert counter.wedge.scans == 1
    assert counter.code.text() == ""


def test_a_scanned_payment_code_is_not_a_beneficiary_code(
    qtbot: QtBot, counter: Counter
) -> None:
    with qtbot.waitSignal(counter.wedge.scanned, timeout=1000) as got:
        scan(counter.code, "https://pay.example.com/qr/42")
    assert got.args[0].kind is CodeKind.OTHER
    assert got.args[0].message is ScanMessage.NOT_BENEFICIARY_CODE


def test_other_windows_are_left_alone(qtbot: QtBot, counter: Counter) -> None:
    other = QLineEdit()
    qtbot.addWidget(other)
    other.show()
    QTest.keyClicks(other, "abcdefgh")
    assert other.text() == "abcdefgh"  # delivered at once, nothing held


def test_scanner_fields_switch_the_input_method_off(counter: Counter) -> None:
    code = counter.code
    assert not code.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)
    assert code.inputMethodHints() & Qt.InputMethodHint.ImhLatinOnly
    assert code.inputMethodHints() & Qt.InputMethodHint.ImhNoPredictiveText
    # ordinary fields keep it: names are typed in Chinese
    assert counter.name.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)


def test_the_detector_rule() -> None:
    d = WedgeDetector(max_gap_ms=50, min_length=6)
    for i, ch in enumerate("BC1:AB"):
        assert d.key(ch, 1000 + 5 * i) == ""
    assert d.enter(1000 + 5 * 6) == "BC1:AB"
    for i, ch in enumerate("BC1:AB"):
        d.key(ch, 2000 + 5 * i)
    assert d.enter(2000 + 5 * 5 + 200) is None  # Enter after a pause: a person
    assert d.take() == "BC1:AB"
    d.key("a", 0)
    assert d.key("b", 120) == "a"  # a's pause is over: it was typing
    assert d.chars == ["b"]
