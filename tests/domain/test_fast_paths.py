"""The fast decode paths give exactly what the plain ones give, on valid and invalid input."""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import FrozenInstanceError, dataclass, field, replace

import cbor2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from merchant_pos.domain.base45 import ALPHABET, Base45Error, b45decode, b45encode
from merchant_pos.domain.claims import Claims, Entitlement, parse_claims
from merchant_pos.domain.cose import sig_structure
from merchant_pos.domain.errors import CodeRejected
from merchant_pos.domain.frozen import fast_init
from merchant_pos.domain.quote import CartLine, LineQuote, Quote, UsageRecord
from merchant_pos.domain.verify import VerifiedCode
from tests.domain import reference_claims


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


# ---------------------------------------------------------------- claims

_VALID_ENT = {"id": "v1", "cat": ["formula", "diaper"], "unit": "fen", "lim": 5000,
              "per": "total", "once": True}
_ENT_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**64), 2**64), st.floats(allow_nan=False),
    st.text(max_size=40), st.binary(max_size=8),
    st.sampled_from(["fen", "count", "day", "week", "month", "year", "total", "", "FEN",
                     "x" * 32, "x" * 33, "x" * 64, "x" * 65, 0, -1, 1, 2**63 - 1, 2**63,
                     -(2**63), -(2**63) - 1]),
    st.lists(st.text(max_size=70) | st.integers(), max_size=18),
)
_ENT_KEYS = st.sampled_from(["id", "cat", "unit", "lim", "per", "val", "once", "from", "until",
                             "x"])


@st.composite
def _entitlement_maps(draw: st.DrawFn) -> object:
    if draw(st.integers(0, 9)) == 0:
        return draw(_ENT_VALUES)  # not a map at all
    ent: dict[object, object] = dict(_VALID_ENT)
    for _ in range(draw(st.integers(0, 3))):
        key = draw(_ENT_KEYS)
        if draw(st.booleans()):
            ent[key] = draw(_ENT_VALUES)
        else:
            ent.pop(key, None)
    return ent


@st.composite
def _payloads(draw: st.DrawFn) -> object:
    bc: dict[object, object] = {"v": 1, "prg": "jss-baby-2023",
                                "ent": draw(st.lists(_entitlement_maps(), min_size=1,
                                                     max_size=3))}
    if draw(st.booleans()):
        bc["nm"] = draw(st.text(max_size=64) if draw(st.integers(0, 9))
                        else st.text(min_size=65, max_size=70) | st.integers())
    if draw(st.booleans()):
        bc["tz"] = draw(st.sampled_from(["UTC", "Asia/Shanghai", "Europe/Berlin"])
                        if draw(st.integers(0, 9)) else st.sampled_from(["Nowhere/City", "", 5]))
    if draw(st.integers(0, 9)) == 0:
        bc[draw(st.sampled_from(["v", "prg", "ent"]))] = draw(_ENT_VALUES)
    payload: dict[object, object] = {1: "jss", 2: "B-1", 4: 2_000_000_000, 6: 1_700_000_000,
                                     7: b"\x01" * 12, -70001: bc}
    if draw(st.integers(0, 9)) == 0:
        payload[draw(st.sampled_from([1, 2, 4, 6, 7, -70001]))] = draw(_ENT_VALUES)
    return payload


def _parsed(parse: Callable[[object], Claims], payload: object) -> Claims | str:
    try:
        return parse(payload)
    except CodeRejected as exc:
        return f"{exc.error}: {exc.detail}"


@settings(max_examples=3000, deadline=None)
@given(_payloads())
def test_claims_parser_matches_the_reference(payload: object) -> None:
    assert _parsed(parse_claims, payload) == _parsed(reference_claims.parse_claims, payload)


def test_the_claims_strategy_reaches_both_outcomes() -> None:
    valid = _parsed(parse_claims, {1: "jss", 2: "B-1", 4: 2, 6: 1, 7: b"\x01" * 12,
                                   -70001: {"v": 1, "prg": "p", "ent": [_VALID_ENT]}})
    assert isinstance(valid, Claims)
    assert valid.ent[0].once is True
    bad = dict(_VALID_ENT, once=1)
    assert _parsed(parse_claims, {1: "jss", 2: "B-1", 4: 2, 6: 1, 7: b"\x01" * 12,
                                  -70001: {"v": 1, "prg": "p", "ent": [bad]}}) == \
        "malformed: claims: ent.once is not a boolean"


_BOUNDARY_VALUES: list[object] = [
    None, True, False, 0, 1, -1, 5000, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 1.0, b"fen",
    "", "x", "x" * 32, "x" * 33, "x" * 64, "x" * 65, "fen", "count", "total", "day", "Fen",
    [], ["formula"], [""], ["x" * 64], ["x" * 65], [1], ["a"] * 16, ["a"] * 17, ("formula",),
    {"x": 1},
]


@pytest.mark.parametrize("key", ["id", "cat", "unit", "lim", "per", "val", "once", "from",
                                 "until"])
@pytest.mark.parametrize("base", [
    _VALID_ENT,
    {"id": "meal", "cat": ["meal"], "unit": "count", "lim": 1, "per": "day", "val": 1000},
])
def test_every_entitlement_field_at_its_boundaries(key: str, base: dict[str, object]) -> None:
    for value in _BOUNDARY_VALUES:
        payload = {1: "jss", 2: "B-1", 4: 2, 6: 1, 7: b"\x01" * 12,
                   -70001: {"v": 1, "prg": "p", "ent": [dict(base, **{key: value})]}}
        assert _parsed(parse_claims, payload) == \
            _parsed(reference_claims.parse_claims, payload), (key, value)


@pytest.mark.parametrize("size", [0, 1, 23, 24, 255, 256, 4096, 65535, 65536])
def test_sig_structure_is_the_cbor_of_the_four_items(size: int) -> None:
    protected, payload = bytes(range(size % 7)), b"\xab" * size
    for p in (protected, payload):
        assert sig_structure(p, payload) == cbor2.dumps(["Signature1", p, b"", payload])


@fast_init
@dataclass(frozen=True, slots=True)
class _Sample:
    a: int
    b: str = "b"
    c: dict[str, int] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.a < 0:
            raise ValueError("a < 0")


def test_fast_init_keeps_what_a_frozen_dataclass_promises() -> None:
    one, two = _Sample(1), _Sample(1)
    assert (one, hash(one)) == (two, hash(two)) and one.b == "b"
    assert one.c is not two.c  # the factory runs per object
    assert _Sample(2, "x", {"k": 1}) == _Sample(a=2, b="x", c={"k": 1})
    assert replace(one, b="z") == _Sample(1, "z")
    with pytest.raises(FrozenInstanceError):
        one.a = 3  # type: ignore[misc]
    with pytest.raises(ValueError, match="a < 0"):
        _Sample(-1)  # __post_init__ still runs
    with pytest.raises(TypeError):
        _Sample()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="not a frozen dataclass"):
        fast_init(dataclass(slots=True)(type("Loose", (), {"__annotations__": {"x": int}})))


def test_the_domain_hot_classes_construct_through_fast_init() -> None:
    for cls in (Claims, Entitlement, CartLine, UsageRecord, LineQuote, Quote, VerifiedCode):
        assert "_set_" in cls.__init__.__code__.co_names[0], cls  # the slot setters
