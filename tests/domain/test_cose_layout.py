"""The COSE_Sign1 read by position, and the DER signature written out, give exactly
what the general CBOR parse and ``cryptography``'s encoder give."""

from __future__ import annotations

import os
from collections.abc import Callable

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from hypothesis import given, settings
from hypothesis import strategies as st

from merchant_pos.domain.cose import (
    ALG_EDDSA,
    ALG_ES256,
    CoseSign1,
    _parse_fixed_layout,
    parse_cose_general,
    parse_cose_sign1,
    unwrap_text,
)
from merchant_pos.domain.errors import CodeRejected
from merchant_pos.domain.trust import der_signature
from tests.support.codes import claims, issuer_key, make_code


def _cose(protected: object, unprotected: object, payload: object, signature: object,
          tag: int | None = 18) -> bytes:
    items = [protected, unprotected, payload, signature]
    return cbor2.dumps(items if tag is None else cbor2.CBORTag(tag, items))


def _header(alg: int = ALG_ES256, kid: bytes = b"K" * 8) -> bytes:
    return cbor2.dumps({1: alg, 4: kid})


def _outcome(parse: Callable[[bytes], CoseSign1], data: bytes) -> CoseSign1 | str:
    try:
        result = parse(data)
    except CodeRejected as exc:
        return f"rejected {exc.error}"
    assert isinstance(result, CoseSign1)
    return result


@pytest.mark.parametrize("alg", [ALG_ES256, ALG_EDDSA])
@pytest.mark.parametrize("size", [0, 1, 23, 24, 255, 256, 4000])
def test_the_common_layout_is_read_by_position(alg: int, size: int) -> None:
    data = _cose(_header(alg), {}, os.urandom(size), os.urandom(64))
    fixed = _parse_fixed_layout(data)
    assert fixed is not None  # the fast path is taken...
    assert fixed == parse_cose_general(data)  # ...and gives what the general one gives
    assert (fixed.alg, fixed.kid, len(fixed.payload)) == (alg, b"K" * 8, size)


def test_issued_codes_take_the_fast_path() -> None:
    for alg in (ALG_ES256, ALG_EDDSA):
        data = unwrap_text(make_code(issuer_key(alg), claims()))
        assert _parse_fixed_layout(data) == parse_cose_general(data)
        assert _parse_fixed_layout(data) is not None


def _non_shortest(payload: bytes, head: bytes) -> bytes:
    header = _header()
    return (b"\xd2\x84" + bytes((0x40 | len(header),)) + header + b"\xa0" + head + payload
            + b"\x58\x40" + b"S" * 64)


@pytest.mark.parametrize("payload,head", [
    (b"x" * 5, b"\x58\x05"), (b"x" * 30, b"\x59\x00\x1e"), (b"x" * 200, b"\x59\x00\xc8"),
])
def test_a_length_not_in_shortest_form_goes_the_general_way(payload: bytes, head: bytes
                                                           ) -> None:
    data = _non_shortest(payload, head)
    assert _parse_fixed_layout(data) is None
    assert _outcome(parse_cose_sign1, data) == _outcome(parse_cose_general, data)


_VARIANTS = [
    _cose(cbor2.dumps({4: b"K" * 8, 1: ALG_ES256}), {}, b"p", b"S" * 64),  # keys reversed
    _cose(_header(kid=b"K" * 7), {}, b"p", b"S" * 64),
    _cose(_header(kid=b"K" * 9), {}, b"p", b"S" * 64),
    _cose(_header(alg=-35), {}, b"p", b"S" * 64),
    _cose(_header(), {4: b"x"}, b"p", b"S" * 64),
    _cose(_header(), {}, b"p", b"S" * 63),
    _cose(_header(), {}, b"p", b"S" * 65),
    _cose(_header(), {}, b"p", b"S" * 64, tag=None),
    _cose(_header(), {}, b"p", b"S" * 64, tag=19),
    _cose(_header(), {}, "p", b"S" * 64),
    _cose(b"", {}, b"p", b"S" * 64),
    _cose(_header(), {}, b"p", b"S" * 64) + b"\x00",
    _cose(_header(), {}, b"p", b"S" * 64)[:-1],
    cbor2.dumps(cbor2.CBORTag(18, [_header(), {}, b"p", b"S" * 64, b""])),
]


@pytest.mark.parametrize("data", _VARIANTS)
def test_other_layouts_match_the_general_parse(data: bytes) -> None:
    assert _outcome(parse_cose_sign1, data) == _outcome(parse_cose_general, data)


def _valid() -> bytes:
    return _cose(_header(), {}, b"payload bytes " * 3, bytes(range(64)))


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 200), st.integers(0, 255),
                          st.sampled_from(["set", "insert", "delete"])), max_size=3),
       st.integers(0, 200))
def test_mutated_layouts_match_the_general_parse(edits: list[tuple[int, int, str]],
                                                 cut: int) -> None:
    data = bytearray(_valid())
    for where, byte, how in edits:
        i = where % (len(data) + 1)
        if how == "insert":
            data.insert(i, byte)
        elif i < len(data):
            if how == "set":
                data[i] = byte
            else:
                del data[i]
    mutated = bytes(data[:len(data) - cut % 4])
    assert _outcome(parse_cose_sign1, mutated) == _outcome(parse_cose_general, mutated)


_EDGES = [0, 1, 0x7F, 0x80, 0xFF, 0x100, 2**255 - 1, 2**255, 2**256 - 1, 0x80 << 240]


@pytest.mark.parametrize("r", _EDGES)
@pytest.mark.parametrize("s", [0, 0x80, 2**256 - 1, 12345])
def test_der_signature_at_the_edges(r: int, s: int) -> None:
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    assert der_signature(raw) == encode_dss_signature(r, s)


@settings(max_examples=2000, deadline=None)
@given(st.integers(0, 2**256 - 1), st.integers(0, 2**256 - 1))
def test_der_signature_matches_cryptography(r: int, s: int) -> None:
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    assert der_signature(raw) == encode_dss_signature(r, s)
