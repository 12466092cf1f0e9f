"""The fast decode paths give exactly what the plain ones give, on valid and invalid input."""

from __future__ import annotations

import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from merchant_pos.domain.base45 import ALPHABET, Base45Error, b45decode, b45encode


def b45decode_reference(text: str) -> bytes:
    """The plain per-triplet decoder, RFC 9285 as written."""
    rest = len(text) % 3
    if rest == 1:
        raise Base45Error("length leaves a single character")
    out = bytearray()
    for i in range(0, len(text) - rest, 3):
        a, b, c = (ALPHABET.find(ch) if ch.isascii() else -1 for ch in text[i:i + 3])
        if min(a, b, c) < 0:
            raise Base45Error("character outside the Base45 alphabet")
        n = a + b * 45 + c * 2025
        if n > 0xFFFF:
            raise Base45Error("triplet out of range")
        out += struct.pack(">H", n)
    if rest == 2:
        a, b = (ALPHABET.find(ch) if ch.isascii() else -1 for ch in text[-2:])
        if min(a, b) < 0:
            raise Base45Error("character outside the Base45 alphabet")
        if a + b * 45 > 0xFF:
            raise Base45Error("pair out of range")
        out.append(a + b * 45)
    return bytes(out)


def _outcome(text: str) -> bytes | str:
    try:
        return b45decode(text)
    except Base45Error:
        return "rejected"


def _reference_outcome(text: str) -> bytes | str:
    try:
        return b45decode_reference(text)
    except Base45Error:
        return "rejected"


_NEAR_ALPHABET = st.text(alphabet=ALPHABET + "az~é\x00", max_size=40)


@settings(max_examples=3000, deadline=None)
@given(_NEAR_ALPHABET)
def test_base45_matches_the_reference_on_any_text(text: str) -> None:
    assert _outcome(text) == _reference_outcome(text)


@settings(max_examples=1000, deadline=None)
@given(st.binary(max_size=600))
def test_base45_round_trips(data: bytes) -> None:
    assert b45decode(b45encode(data)) == data == b45decode_reference(b45encode(data))


def test_base45_out_of_range_triplets_are_refused_everywhere() -> None:
    # 0xFFFF is the largest triplet ("FGW"); one more is out of range at any position.
    assert b45decode("FGW") == b"\xff\xff"
    for prefix in ("", "000", "FGW" * 50):
        for bad in ("GGW", "::::"[:3], "0HW", "FGX"):
            text = prefix + bad + "000"
            assert _outcome(text) == _reference_outcome(text) == "rejected", text
