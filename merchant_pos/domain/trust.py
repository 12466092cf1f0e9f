"""Trust list (issuer public keys) and revocation list, as the vectors and server ship them."""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from merchant_pos.domain.cose import ALG_EDDSA, ALG_ES256, KID_LENGTH, SUPPORTED_ALGS

_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())


class TrustListError(ValueError):
    """A trust list or revocation list file does not have the expected shape."""


def kid_for(raw_public_key: bytes) -> bytes:
    """The spec's key id: the first 8 bytes of SHA-256 of the raw public key."""
    return hashlib.sha256(raw_public_key).digest()[:KID_LENGTH]


@dataclass(frozen=True, slots=True)
class TrustedKey:
    kid: bytes
    alg: int
    raw_key: bytes
    iss: str
    not_before: int
    not_after: int
    _key: ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey = field(repr=False, compare=False)

    @classmethod
    def from_raw(
        cls, *, alg: int, raw_key: bytes, iss: str, not_before: int, not_after: int,
        kid: bytes | None = None,
    ) -> TrustedKey:
        key: ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey
        try:
            if alg == ALG_EDDSA:
                key = ed25519.Ed25519PublicKey.from_public_bytes(raw_key)
            elif alg == ALG_ES256:
                key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw_key)
            else:
                raise TrustListError(f"unsupported alg {alg}")
        except ValueError as exc:
            raise TrustListError(f"bad public key: {exc}") from None
        return cls(
            kid=kid if kid is not None else kid_for(raw_key),
            alg=alg, raw_key=raw_key, iss=iss, not_before=not_before, not_after=not_after,
            _key=key,
        )

    @classmethod
    def from_json(cls, entry: Mapping[str, Any]) -> TrustedKey:
        """One entry ``{kid, alg, key, iss, not_before, not_after}``, kid/key in Base64."""
        try:
            kid = _b64(entry["kid"])
            raw = _b64(entry["key"])
            alg = _int(entry["alg"])
            iss = entry["iss"]
            nb, na = _int(entry["not_before"]), _int(entry["not_after"])
        except KeyError as exc:
            raise TrustListError(f"trust-list entry lacks {exc}") from None
        if not isinstance(iss, str) or len(kid) != KID_LENGTH:
            raise TrustListError("trust-list entry has a bad iss or kid")
        return cls.from_raw(alg=alg, raw_key=raw, iss=iss, not_before=nb, not_after=na, kid=kid)

    def to_json(self) -> dict[str, Any]:
        return {
            "kid": base64.b64encode(self.kid).decode(),
            "alg": self.alg,
            "key": base64.b64encode(self.raw_key).decode(),
            "iss": self.iss,
            "not_before": self.not_before,
            "not_after": self.not_after,
        }

    def signature_valid(self, signature: bytes, message: bytes) -> bool:
        if len(signature) != 64:
            return False
        try:
            if isinstance(self._key, ed25519.Ed25519PublicKey):
                self._key.verify(signature, message)
            else:
                self._key.verify(der_signature(signature), message, _ECDSA_SHA256)
        except InvalidSignature:
            return False
        return True


def _der_integer(big_endian: bytes) -> bytes:
    digits = big_endian.lstrip(b"\x00") or b"\x00"
    if digits[0] & 0x80:
        digits = b"\x00" + digits
    return b"\x02" + bytes((len(digits),)) + digits


def der_signature(signature: bytes) -> bytes:
    """COSE's ``r || s`` (two 32-byte big-endian integers) as the DER ``SEQUENCE {r, s}``
    that ``cryptography`` verifies: ``encode_dss_signature`` of the same integers,
    written out (``tests/domain/test_cose_layout.py``). At most 70 bytes: short lengths."""
    body = _der_integer(signature[:32]) + _der_integer(signature[32:])
    return b"\x30" + bytes((len(body),)) + body


class TrustList:
    """Issuer keys by kid. The same kid may appear once per algorithm."""

    def __init__(self, keys: Iterable[TrustedKey] = ()) -> None:
        self._by_kid: dict[bytes, list[TrustedKey]] = {}
        for key in keys:
            self._by_kid.setdefault(key.kid, []).append(key)

    @classmethod
    def from_json(cls, entries: Any) -> TrustList:
        """Entries with an algorithm this POS does not know are left out (a newer
        issuer key type must not lock the counter out of every key); any other
        defect refuses the whole list."""
        if not isinstance(entries, list):
            raise TrustListError("a trust list is a JSON array of entries")
        return cls(TrustedKey.from_json(e) for e in entries
                   if _is_mapping(e) and e.get("alg") in SUPPORTED_ALGS)

    def to_json(self) -> list[dict[str, Any]]:
        return [k.to_json() for keys in self._by_kid.values() for k in keys]

    def find(self, kid: bytes, alg: int) -> TrustedKey | None:
        for key in self._by_kid.get(kid, ()):
            if key.alg == alg:
                return key
        return None

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_kid.values())


@dataclass(frozen=True, slots=True)
class RevocationList:
    """Revoked code ids (cti, as bytes) and blocked beneficiaries (sub)."""

    cti: frozenset[bytes] = frozenset()
    sub: frozenset[str] = frozenset()

    @classmethod
    def from_json(cls, data: Any) -> RevocationList:
        """``{"cti": [hex, ...], "sub": [id, ...]}``; either key may be absent."""
        if not isinstance(data, dict):
            raise TrustListError("a revocation list is a JSON object {cti: [...], sub: [...]}")
        ctis, subs = data.get("cti", []), data.get("sub", [])
        if not isinstance(ctis, list) or not isinstance(subs, list):
            raise TrustListError("cti and sub must be arrays")
        try:
            cti = frozenset(bytes.fromhex(h) for h in ctis)
        except (TypeError, ValueError):
            raise TrustListError("cti entries must be hex strings") from None
        if not all(isinstance(s, str) for s in subs):
            raise TrustListError("sub entries must be strings")
        return cls(cti=cti, sub=frozenset(subs))

    def to_json(self) -> dict[str, list[str]]:
        return {"cti": sorted(c.hex() for c in self.cti), "sub": sorted(self.sub)}

    def is_revoked(self, cti: bytes, sub: str) -> bool:
        return cti in self.cti or sub in self.sub


def _b64(value: Any) -> bytes:
    if not isinstance(value, str):
        raise TrustListError("expected a Base64 string")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise TrustListError(f"not Base64: {value[:20]!r}") from None


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TrustListError(f"expected an integer, got {value!r}")
    return value


def _is_mapping(value: Any) -> bool:
    if not isinstance(value, dict):
        raise TrustListError("each trust-list entry is a JSON object")
    return True
