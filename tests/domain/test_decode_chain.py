"""Base45, bounded inflate and COSE parsing: each failure maps to the right error id."""

from __future__ import annotations

import os
import zlib

import cbor2
import pytest

from merchant_pos.domain import CodeRejected, ErrorId, verify
from merchant_pos.domain.base45 import Base45Error, b45decode, b45encode
from merchant_pos.domain.cose import (
    _NO_SEMANTICS,
    MAX_COSE,
    bounded_inflate,
    loads_cbor,
    unwrap_text,
)
from merchant_pos.domain.issuing import sign_payload, wrap_cose
from tests.support.codes import NOW, claims, issuer_key, make_code, trust_for


@pytest.mark.parametrize(
    ("raw", "text"),
    [(b"AB", "BB8"), (b"Hello!!", "%69 VD92EX0"), (b"base-45", "UJCLQE7W581"),
     (b"ietf!", "QED8WEX0"), (b"", "")],
)
def test_base45_rfc9285_examples(raw: bytes, text: str) -> None:
    assert b45encode(raw) == text
    assert b45decode(text) == raw


@pytest.mark.parametrize("bad", ["GGW", "A", "ab", "ABCD", "A\u00e9B", "::::"])
def test_base45_rejects(bad: str) -> None:
    with pytest.raises(Base45Error):
        b45decode(bad)


def test_base45_round_trips_random_bytes() -> None:
    for n in range(64):
        data = os.urandom(n)
        assert b45decode(b45encode(data)) == data


def test_inflate_stops_at_the_limit_without_inflating_fully() -> None:
    bomb = zlib.compress(b"\0" * 50_000_000, 9)  # 50 MB of zeros in ~50 kB
    with pytest.raises(CodeRejected) as info:
        bounded_inflate(bomb)
    assert info.value.error is ErrorId.TOO_LARGE


def test_inflate_accepts_exactly_the_limit() -> None:
    data = os.urandom(MAX_COSE)
    assert bounded_inflate(zlib.compress(data)) == data
    with pytest.raises(CodeRejected) as info:
        bounded_inflate(zlib.compress(data + b"x"))
    assert info.value.error is ErrorId.TOO_LARGE


@pytest.mark.parametrize("tail", [b"x", zlib.compress(b"second stream")])
def test_inflate_refuses_data_after_the_stream(tail: bytes) -> None:
    with pytest.raises(CodeRejected) as info:
        bounded_inflate(zlib.compress(b"payload") + tail)
    assert info.value.error is ErrorId.MALFORMED


def test_cbor_trailing_bytes_depth_and_duplicate_keys_are_malformed() -> None:
    for data in (cbor2.dumps(1) + b"\x00", b"\x81" * 100 + b"\x00",
                 b"\xa2\x01\x01\x01\x02"):
        with pytest.raises(CodeRejected) as info:
            loads_cbor(data)
        assert info.value.error is ErrorId.MALFORMED


@pytest.mark.parametrize("value", [
    cbor2.CBORTag(35, "[[a]"),  # a regular expression cbor2 would compile
    cbor2.CBORTag(1, 5),  # epoch datetime
    cbor2.CBORTag(258, [1, 2]),  # a set
    cbor2.CBORTag(2, b"\x01" * 64),  # a bignum
    cbor2.CBORTag(28, [1]),  # a shared reference
    cbor2.CBORTag(43000, [1, 2]),  # a complex number
])
def test_semantic_tags_are_refused(value: cbor2.CBORTag) -> None:
    with pytest.raises(CodeRejected) as info:
        loads_cbor(cbor2.dumps({1: value}))
    assert info.value.error is ErrorId.MALFORMED


def _builtin_semantic_tags() -> list[int]:
    """The tags cbor2 itself turns into something other than a CBORTag (or refuses)."""
    found = []
    for tag in (*range(0, 2048), *range(40000, 70000)):
        for value in (0, "2020-01-01T00:00:00Z", b"\x01", [1, 2], {1: 2}):
            try:
                decoded = cbor2.loads(cbor2.dumps(cbor2.CBORTag(tag, value)))
            except Exception:
                found.append(tag)
                break
            if not isinstance(decoded, cbor2.CBORTag):
                found.append(tag)
                break
    return found


def test_every_tag_cbor2_decodes_itself_is_refused() -> None:
    builtin = _builtin_semantic_tags()
    assert 43000 in builtin and 1 in builtin  # the search finds what it looks for
    for tag in builtin:
        assert tag in _NO_SEMANTICS, tag
        with pytest.raises(CodeRejected):
            loads_cbor(cbor2.dumps({1: cbor2.CBORTag(tag, [1, 2])}))


def test_untagged_and_tagged_codes_both_verify() -> None:
    key = issuer_key()
    c = claims()
    payload = cbor2.dumps(c.to_cbor_map())
    for tagged in (True, False):
        text = wrap_cose(sign_payload(key, payload, tagged=tagged))
        assert verify(text, trust_for(key), NOW).claims == c


def test_unwrap_round_trip_of_issued_code() -> None:
    key = issuer_key()
    text = make_code(key)
    assert cbor2.loads(unwrap_text(text)).tag == 18


def test_missing_alg_is_unsupported_and_kid_in_unprotected_is_malformed() -> None:
    key = issuer_key()
    payload = cbor2.dumps(claims().to_cbor_map())
    no_alg = cbor2.dumps(cbor2.CBORTag(18, [cbor2.dumps({4: key.kid}), {}, payload, b"s" * 64]))
    with pytest.raises(CodeRejected) as info:
        verify(wrap_cose(no_alg), trust_for(key), NOW)
    assert info.value.error is ErrorId.UNSUPPORTED_ALG
    kid_outside = cbor2.dumps(
        cbor2.CBORTag(18, [cbor2.dumps({1: -8}), {4: key.kid}, payload, b"s" * 64]))
    with pytest.raises(CodeRejected) as info:
        verify(wrap_cose(kid_outside), trust_for(key), NOW)
    assert info.value.error is ErrorId.MALFORMED
