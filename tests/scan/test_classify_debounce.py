"""Classification of scanned texts and the debounce rule."""

from __future__ import annotations

import pytest

from merchant_pos.domain.verify import verify
from merchant_pos.scan.classify import CodeKind, ScanSource, classify
from merchant_pos.scan.debounce import Debouncer
from merchant_pos.scan.messages import MESSAGES, ScanMessage, message
from tests.support.codes import NOW, claims, issuer_key, make_code, trust_for


def test_a_bc1_text_is_a_beneficiary_code_that_verifies_as_read() -> None:
    key = issuer_key()
    text = make_code(key, claims())
    event = classify(text + "\r\n", ScanSource.SCANNER)  # scanners add line ends
    assert event.kind is CodeKind.BENEFICIARY and event.is_beneficiary_code
    assert event.message is None
    assert event.text == text
    assert verify(event.text, trust_for(key), NOW).claims.sub == "B-TEST-0001"


@pytest.mark.parametrize(
    "text",
    ["https://example.com/pay?id=1", "wxp://f2f0abc", "bc1:lowercase", "", "  ", "HC1:NCF..."],
)
def test_anything_else_is_not_a_beneficiary_code(text: str) -> None:
    event = classify(text, ScanSource.CAMERA)
    assert event.kind is CodeKind.OTHER
    assert event.message is ScanMessage.NOT_BENEFICIARY_CODE
    assert "受助码" in message(event.message, "zh_CN")
    assert "beneficiary code" in message(event.message, "en")


def test_every_message_has_chinese_and_english() -> None:
    for msg in ScanMessage:
        assert set(MESSAGES[msg]) == {"zh_CN", "en"}
        assert message(msg, "en_GB") == MESSAGES[msg]["en"]
        assert message(msg, "zh_TW") == MESSAGES[msg]["zh_CN"]


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_same_code_held_up_is_one_scan_and_a_new_code_passes_at_once() -> None:
    clock = FakeClock()
    d = Debouncer(3.0, clock)
    assert d.accept("A")
    for _ in range(30):  # held in front of the camera for 6 s, seen every 0.2 s
        clock.now += 0.2
        assert not d.accept("A")
    assert d.accept("B")  # a different code: at once
    clock.now += 0.1
    assert not d.accept("B")


def test_the_same_code_after_a_pause_longer_than_the_window_is_a_new_scan() -> None:
    clock = FakeClock()
    d = Debouncer(3.0, clock)
    assert d.accept("A")
    clock.now += 2.9
    assert not d.accept("A")  # within 3 s of the last sighting
    clock.now += 3.1
    assert d.accept("A")


def test_a_b_a_within_the_window_counts_a_once() -> None:
    clock = FakeClock()
    d = Debouncer(3.0, clock)
    assert d.accept("A") and d.accept("B")
    clock.now += 1.0
    assert not d.accept("A")
    d.reset()
    assert d.accept("A")


def test_many_codes_do_not_grow_the_memory_without_bound() -> None:
    clock = FakeClock()
    d = Debouncer(1.0, clock)
    for i in range(1000):
        clock.now += 0.5
        assert d.accept(f"code {i}")
    assert len(d._last_seen) <= 65


def test_negative_window_is_refused() -> None:
    with pytest.raises(ValueError):
        Debouncer(-1)
