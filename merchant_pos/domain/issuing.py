"""Issuing BC1 codes: the signing side of the contract.

The reference server issues codes with this; tests use it to make codes. A
POS never holds a private key.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import cbor2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from merchant_pos.domain.base45 import b45encode
from merchant_pos.domain.claims import Claims
from merchant_pos.domain.cose import ALG_EDDSA, ALG_ES256, COSE_SIGN1_TAG, PREFIX, sig_structure
from merchant_pos.domain.trust import TrustedKey, kid_for

PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class IssuerKey:
    """An issuer's private signing key with the public facts the trust list holds."""

    private: PrivateKey
    iss: str
    not_before: int
    not_after: int

    @classmethod
    def generate(cls, alg: int, iss: str, not_before: int, not_after: int) -> IssuerKey:
        private: PrivateKey
        if alg == ALG_EDDSA:
            private = ed25519.Ed25519PrivateKey.generate()
        elif alg == ALG_ES256:
            private = ec.generate_private_key(ec.SECP256R1())
        else:
            raise ValueError(f"unsupported alg {alg}")
        return cls(private, iss, not_before, not_after)

    @classmethod
    def from_pem(cls, pem: bytes, iss: str, not_before: int, not_after: int) -> IssuerKey:
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey):
            raise ValueError("only Ed25519 and P-256 keys can sign BC1 codes")
        return cls(key, iss, not_before, not_after)

    def to_pem(self) -> bytes:
        return self.private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    @property
    def alg(self) -> int:
        return ALG_EDDSA if isinstance(self.private, ed25519.Ed25519PrivateKey) else ALG_ES256

    @property
    def raw_public_key(self) -> bytes:
        public = self.private.public_key()
        if isinstance(public, ed25519.Ed25519PublicKey):
            return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return public.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )

    @property
    def kid(self) -> bytes:
        return kid_for(self.raw_public_key)

    def trusted_key(self) -> TrustedKey:
        return TrustedKey.from_raw(
            alg=self.alg, raw_key=self.raw_public_key, iss=self.iss,
            not_before=self.not_before, not_after=self.not_after,
        )

    def sign(self, message: bytes) -> bytes:
        if isinstance(self.private, ed25519.Ed25519PrivateKey):
            return self.private.sign(message)
        r, s = decode_dss_signature(self.private.sign(message, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def sign_payload(key: IssuerKey, payload: bytes, *, tagged: bool = True) -> bytes:
    """A COSE_Sign1 over ``payload`` (CBOR bytes), as in spec section 2."""
    protected = cbor2.dumps({1: key.alg, 4: key.kid})
    signature = key.sign(sig_structure(protected, payload))
    body = [protected, {}, payload, signature]
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, body) if tagged else body)


def wrap_cose(cose: bytes) -> str:
    """COSE bytes → ``BC1:`` text (zlib at the best level, then Base45)."""
    return PREFIX + b45encode(zlib.compress(cose, 9))


def issue_code(key: IssuerKey, claims: Claims, *, tagged: bool = True) -> str:
    """The BC1 text of ``claims`` signed with ``key``."""
    return wrap_cose(sign_payload(key, cbor2.dumps(claims.to_cbor_map()), tagged=tagged))
