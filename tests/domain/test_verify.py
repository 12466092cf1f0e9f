"""Verification steps on codes signed here with both algorithms."""

from __future__ import annotations

import dataclasses
import json

import cbor2
import pytest

from merchant_pos.domain import CodeRejected, ErrorId, RevocationList, TrustList, verify
from merchant_pos.domain.cose import ALG_EDDSA, ALG_ES256
from merchant_pos.domain.errors import MESSAGES, message
from merchant_pos.domain.issuing import sign_payload, wrap_cose
from merchant_pos.domain.trust import TrustListError
from tests.support.codes import DAY, NOW, claims, issuer_key, make_code, trust_for

ALGS = [ALG_EDDSA, ALG_ES256]


def _rejects(text: str, trust: TrustList, now: int = NOW, **kw: object) -> ErrorId:
    with pytest.raises(CodeRejected) as info:
        verify(text, trust, now, **kw)  # type: ignore[arg-type]
    return info.value.error


@pytest.mark.parametrize("alg", ALGS)
def test_valid_code_round_trips_claims(alg: int) -> None:
    key = issuer_key(alg)
    c = claims(tz="Europe/Berlin", nm=None)
    code = verify(make_code(key, c), trust_for(key), NOW, programs=[c.prg])
    assert code.claims == c
    assert code.alg == alg


@pytest.mark.parametrize("alg", ALGS)
def test_each_later_step(alg: int) -> None:
    key = issuer_key(alg)
    trust = trust_for(key)
    assert _rejects(make_code(key, claims(iss="other")), trust) is ErrorId.ISSUER_MISMATCH
    assert _rejects(make_code(key, claims(iat=key.not_after)), trust) is ErrorId.KEY_NOT_VALID
    assert _rejects(make_code(key, claims(iat=key.not_before - 1)), trust) is ErrorId.KEY_NOT_VALID
    assert _rejects(make_code(key, claims(exp=NOW - 301)), trust) is ErrorId.EXPIRED
    verify(make_code(key, claims(exp=NOW - 300)), trust, NOW)
    assert _rejects(make_code(key, claims(iat=NOW + 301)), trust) is ErrorId.NOT_YET_VALID
    verify(make_code(key, claims(iat=NOW + 300)), trust, NOW)
    c = claims()
    assert _rejects(make_code(key, c), trust, revoked=RevocationList(cti=frozenset([c.cti]))) \
        is ErrorId.REVOKED
    assert _rejects(make_code(key, c), trust, revoked=RevocationList(sub=frozenset([c.sub]))) \
        is ErrorId.REVOKED
    assert _rejects(make_code(key, c), trust, programs=["elder-meal-sz"]) is ErrorId.WRONG_PROGRAM


def test_signature_is_checked_before_claims() -> None:
    key, other = issuer_key(), issuer_key()
    # Garbage claims signed by a key that is trusted under another key's kid.
    payload = cbor2.dumps({"not": "claims"})
    forged = wrap_cose(sign_payload(other, payload))
    trust = TrustList([dataclasses.replace(key.trusted_key(), kid=other.kid)])
    assert _rejects(forged, trust) is ErrorId.BAD_SIGNATURE
    assert _rejects(wrap_cose(sign_payload(key, payload)), trust_for(key)) is ErrorId.MALFORMED


def test_unknown_key_and_wrong_alg() -> None:
    ed, ec = issuer_key(ALG_EDDSA), issuer_key(ALG_ES256)
    assert _rejects(make_code(ed), trust_for(ec)) is ErrorId.UNKNOWN_KEY
    same_kid_other_alg = dataclasses.replace(ec.trusted_key(), kid=ed.kid)
    assert _rejects(make_code(ed), TrustList([same_kid_other_alg])) is ErrorId.UNKNOWN_KEY


@pytest.mark.parametrize(
    "change",
    [
        {"sub": ""}, {"sub": "x" * 65}, {"cti": b"1234567"}, {"cti": b"x" * 17},
    ],
)
def test_claim_field_bounds(change: dict[str, object]) -> None:
    key = issuer_key()
    assert _rejects(make_code(key, claims(**change)), trust_for(key)) is ErrorId.MALFORMED


def test_bool_and_huge_integers_are_malformed() -> None:
    key = issuer_key()
    for field, value in [(4, True), (4, 2**64), (6, 1.5)]:
        payload = claims().to_cbor_map()
        payload[field] = value
        text = wrap_cose(sign_payload(key, cbor2.dumps(payload)))
        assert _rejects(text, trust_for(key)) is ErrorId.MALFORMED


def test_every_error_has_both_languages() -> None:
    assert set(MESSAGES) == set(ErrorId)
    for err in ErrorId:
        assert message(err, "zh_CN") != message(err, "en")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in message(err, "zh_CN"))
    assert message(ErrorId.EXPIRED, "zh_CN") == "此码已过期"
    assert message(ErrorId.EXPIRED, "en_GB") == "This code has expired"
    assert CodeRejected(ErrorId.REVOKED).message("en") == message(ErrorId.REVOKED, "en")


def test_trust_list_json_round_trip_and_errors() -> None:
    key = issuer_key(ALG_ES256)
    entries = json.loads(json.dumps(trust_for(key).to_json()))
    trust = TrustList.from_json(entries)
    assert trust.find(key.kid, ALG_ES256) is not None
    bad_entries = [
        {},
        [{**entries[0], "kid": "not base64!"}],
        [{**entries[0], "key": "AAAA"}],
        [{**entries[0], "iss": 5}],
        [{**entries[0], "not_before": "soon"}],
        [{**entries[0], "kid": "AAAA"}],
        ["entry"],
    ]
    for bad in bad_entries:
        with pytest.raises(TrustListError):
            TrustList.from_json(bad)
    # A key type from the future is left out; the known keys still load.
    mixed = TrustList.from_json([*entries, {**entries[0], "alg": -35, "key": "AAAA"}])
    assert len(mixed) == 1


def test_revocation_list_json() -> None:
    rl = RevocationList.from_json({"cti": ["00ff"], "sub": ["B-1"]})
    assert rl.is_revoked(b"\x00\xff", "x") and rl.is_revoked(b"", "B-1")
    assert RevocationList.from_json(rl.to_json()) == rl
    for bad in ([], {"cti": "00"}, {"cti": ["zz"]}, {"sub": [1]}):
        with pytest.raises(TrustListError):
            RevocationList.from_json(bad)


def test_expired_clock_boundaries_use_exp_plus_skew() -> None:
    key = issuer_key()
    c = claims(exp=NOW + DAY)
    text = make_code(key, c)
    verify(text, trust_for(key), NOW + DAY + 300)
    assert _rejects(text, trust_for(key), NOW + DAY + 301) is ErrorId.EXPIRED
