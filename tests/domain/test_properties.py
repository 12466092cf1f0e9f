"""Property tests: the verifier only ever raises CodeRejected; quote invariants hold."""

from __future__ import annotations

import random
import zlib
from datetime import datetime
from zoneinfo import ZoneInfo

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from merchant_pos.domain import CodeRejected, verify
from merchant_pos.domain.base45 import ALPHABET, b45decode, b45encode
from merchant_pos.domain.claims import Claims, Entitlement, Period, Unit
from merchant_pos.domain.errors import ErrorId
from merchant_pos.domain.issuing import sign_payload, wrap_cose
from merchant_pos.domain.periods import period_bounds, period_key
from merchant_pos.domain.quote import CartLine, UsageRecord, quote, remaining_at
from merchant_pos.domain.verify import verify_strict
from tests.domain import reference_quote
from tests.support.codes import NOW, claims, issuer_key, make_code, trust_for

KEY = issuer_key()
TRUST = trust_for(KEY)
VALID = make_code(KEY)
FAST = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


E = ErrorId
# What each kind of damage may be rejected as: the spec's order of checks decides which.
_DECODE = {E.UNSUPPORTED_FORMAT, E.TOO_LARGE, E.MALFORMED}
_UNSIGNED = _DECODE | {E.UNSUPPORTED_ALG, E.UNKNOWN_KEY, E.BAD_SIGNATURE}


def _rejected_as(text: str, allowed: set[ErrorId]) -> None:
    """``text`` is rejected by the strict verifier (no safety net), with an allowed id."""
    with pytest.raises(CodeRejected) as info:
        verify_strict(text, TRUST, NOW)
    assert info.value.error in allowed, (info.value.error, info.value.detail)
    # The verifier the counter uses agrees.
    with pytest.raises(CodeRejected) as again:
        verify(text, TRUST, NOW)
    assert again.value.error is info.value.error


@FAST
@given(st.text(max_size=3000))
def test_arbitrary_text(text: str) -> None:
    _rejected_as(text, {E.UNSUPPORTED_FORMAT} if not text.startswith("BC1:") else _DECODE)
    _rejected_as("BC1:" + text, _DECODE)


@FAST
@given(st.text(alphabet=ALPHABET, max_size=2100))
def test_arbitrary_base45_body(body: str) -> None:
    _rejected_as("BC1:" + body, _DECODE)


@FAST
@given(st.binary(max_size=5000))
def test_arbitrary_compressed_bytes(data: bytes) -> None:
    _rejected_as("BC1:" + b45encode(zlib.compress(data)), _DECODE)
    _rejected_as("BC1:" + b45encode(data), _DECODE)


cbor_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats()
    | st.text(max_size=20) | st.binary(max_size=20),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.integers(-70002, 8) | st.text(max_size=5), children, max_size=6),
    max_leaves=30,
)


@FAST
@given(cbor_values)
def test_arbitrary_cbor_as_cose_and_as_signed_payload(value: object) -> None:
    raw = cbor2.dumps(value)
    _rejected_as(wrap_cose(raw), _UNSIGNED)
    _rejected_as(wrap_cose(cbor2.dumps(cbor2.CBORTag(18, [b"\xa0", {}, raw, b""]))), _UNSIGNED)
    # A correctly signed but arbitrary payload exercises the claims parser: only
    # the claims can be wrong, so it is malformed (or too large to wrap).
    _rejected_as(wrap_cose(sign_payload(KEY, raw)), {E.MALFORMED, E.TOO_LARGE})


@FAST
@given(st.data())
def test_mutated_valid_codes(data: st.DataObject) -> None:
    compressed = bytearray(b45decode(VALID[4:]))
    kind = data.draw(st.sampled_from(["flip", "truncate", "extend", "text"]))
    if kind == "flip":
        i = data.draw(st.integers(0, len(compressed) - 1))
        compressed[i] ^= 1 << data.draw(st.integers(0, 7))
        text = "BC1:" + b45encode(bytes(compressed))
    elif kind == "truncate":
        text = VALID[: data.draw(st.integers(0, len(VALID) - 1))]
    elif kind == "extend":
        text = VALID + data.draw(st.text(alphabet=ALPHABET, min_size=1, max_size=50))
    else:
        i = data.draw(st.integers(4, len(VALID) - 1))
        text = VALID[:i] + data.draw(st.sampled_from(ALPHABET)) + VALID[i + 1 :]
    try:
        code = verify_strict(text, TRUST, NOW)
    except CodeRejected:
        return
    # A mutation that still verifies must not have changed what was signed.
    assert code.claims == verify(VALID, TRUST, NOW).claims


def test_deeply_nested_cbor_inside_a_valid_signature() -> None:
    deep = b"\x81" * 3000 + b"\x00"
    _rejected_as(wrap_cose(sign_payload(KEY, deep)), {E.MALFORMED, E.TOO_LARGE})
    _rejected_as(wrap_cose(deep), _DECODE)


# ---------------------------------------------------------------- the quote

CATS = ["formula", "diaper", "meal", "fruit", "checkup"]
ZONES = ["Asia/Shanghai", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC"]


@st.composite
def entitlements(draw: st.DrawFn) -> tuple[Entitlement, ...]:
    n = draw(st.integers(1, 5))
    out = []
    for i in range(n):
        unit = draw(st.sampled_from(list(Unit)))
        per = draw(st.sampled_from(list(Period)))
        once = unit is Unit.FEN and per is Period.TOTAL and draw(st.booleans())
        lo = draw(st.none() | st.integers(NOW - 40 * 86400, NOW + 86400))
        hi = draw(st.none() | st.integers(NOW - 86400, NOW + 40 * 86400))
        out.append(Entitlement(
            id=f"e{i}", cat=tuple(draw(st.sets(st.sampled_from(CATS), min_size=1, max_size=3))),
            unit=unit, lim=draw(st.integers(1, 20000 if unit is Unit.FEN else 5)), per=per,
            val=draw(st.integers(1, 5000)) if unit is Unit.COUNT else None,
            once=once, active_from=lo, until=hi))
    return tuple(out)


cart_lines = st.lists(
    st.builds(CartLine, cat=st.sampled_from([*CATS, "toy"]), amount=st.integers(1, 30000),
              qty=st.integers(1, 4)),
    min_size=0, max_size=6)


@st.composite
def usage_records(draw: st.DrawFn) -> list[UsageRecord]:
    return draw(st.lists(st.builds(
        UsageRecord, ent=st.sampled_from(["e0", "e1", "e2", "e3", "e4", "zz"]),
        amount=st.integers(0, 20000), units=st.integers(0, 3),
        at=st.integers(NOW - 400 * 86400, NOW), rid=st.text(max_size=4)), max_size=12))


@settings(max_examples=400, deadline=None)
@given(entitlements(), cart_lines, usage_records(), st.sampled_from(ZONES),
       st.integers(NOW - 10 * 86400, NOW + 10 * 86400), st.randoms())
def test_quote_invariants(ents: tuple[Entitlement, ...], cart: list[CartLine],
                          usage: list[UsageRecord], tz: str, now: int,
                          rnd: random.Random) -> None:
    c: Claims = claims(ent=ents, tz=tz)
    result = quote(c, now, cart, usage)
    assert result.covered + result.pays == result.total == sum(x.amount for x in cart)
    for line, lq in zip(cart, result.lines, strict=True):
        assert 0 <= lq.covered <= line.amount
        assert lq.covered == sum(lq.draws.values())
        assert all(v > 0 for v in lq.draws.values())
        assert sum(lq.units.values()) <= line.qty
        assert (lq.reason is None) == (lq.covered > 0)
    before = remaining_at(c, now, usage)
    by_id = {e.id: e for e in ents}
    for ent_id, (fen, units) in result.draws_by_entitlement().items():
        ent = by_id[ent_id]
        used = units if ent.unit is Unit.COUNT else fen
        assert used <= before[ent_id]
        if ent.unit is Unit.COUNT:
            assert ent.val is not None and fen <= units * ent.val
    # Same inputs, same result; usage order does not matter.
    shuffled = list(usage)
    rnd.shuffle(shuffled)
    assert quote(c, now, cart, shuffled) == result
    # And exactly what the plain quote before the fast path gave.
    assert result == reference_quote.quote(c, now, cart, usage)
    assert before == reference_quote.remaining_at(c, now, usage)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from([*ZONES, "America/Santiago", "Asia/Gaza", "Pacific/Apia"]),
       st.sampled_from([Period.DAY, Period.WEEK, Period.MONTH, Period.YEAR]),
       st.integers(0, 2**31), st.integers(-3 * 86400, 3 * 86400))
def test_period_bounds_agree_with_calendar_keys(tz: str, per: Period, now: int,
                                                delta: int) -> None:
    zone = ZoneInfo(tz)
    bounds = period_bounds(per, now, zone)
    assert bounds is not None
    start, end = bounds
    assert start <= now < end
    at = now + delta
    assert (start <= at < end) == (period_key(per, at, zone) == period_key(per, now, zone))
    # The instant before the start belongs to the previous period.
    assert period_key(per, start - 1, zone) != period_key(per, start, zone)


def test_dst_day_in_berlin_is_23_hours() -> None:
    zone = ZoneInfo("Europe/Berlin")
    noon = int(datetime(2026, 3, 29, 12, tzinfo=zone).timestamp())
    bounds = period_bounds(Period.DAY, noon, zone)
    assert bounds is not None
    assert bounds[1] - bounds[0] == 23 * 3600
