"""BC1 verification, in the order of spec section 4: the first failing step decides."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from merchant_pos.domain.claims import Claims, parse_claims
from merchant_pos.domain.cose import (
    SUPPORTED_ALGS,
    loads_cbor,
    parse_cose_sign1,
    unwrap_text,
)
from merchant_pos.domain.errors import CodeRejected, ErrorId
from merchant_pos.domain.frozen import fast_init
from merchant_pos.domain.trust import RevocationList, TrustList

CLOCK_SKEW = 300
_NO_REVOCATIONS = RevocationList()


@fast_init
@dataclass(frozen=True, slots=True)
class VerifiedCode:
    """A code whose signature, claims, time and status all checked out."""

    text: str
    claims: Claims
    kid: bytes
    alg: int


def check_time(claims: Claims, now: int) -> None:
    """Step 12, the only step that depends on ``now``: expired, then not yet valid.

    Callers that cache a verified code (the ledger) re-run just this.
    """
    if now > claims.exp + CLOCK_SKEW:
        raise CodeRejected(ErrorId.EXPIRED)
    if claims.iat > now + CLOCK_SKEW:
        raise CodeRejected(ErrorId.NOT_YET_VALID)


def verify(
    text: str,
    trust: TrustList,
    now: int,
    *,
    revoked: RevocationList = _NO_REVOCATIONS,
    programs: Collection[str] | None = None,
) -> VerifiedCode:
    """Verify a BC1 text offline; raises :class:`CodeRejected` and nothing else.

    ``programs`` are the programs this merchant takes part in; ``None`` skips
    that last check (support tools inspecting any code).
    """
    try:
        return verify_strict(text, trust, now, revoked, programs)
    except CodeRejected:
        raise
    except Exception as exc:
        # Defence in depth: no input may escape as another exception type. The
        # property tests drive verify_strict, which has no such net, so a bug
        # that raised here would still fail them.
        raise CodeRejected(ErrorId.MALFORMED, type(exc).__name__) from None


def verify_strict(
    text: str,
    trust: TrustList,
    now: int,
    revoked: RevocationList = _NO_REVOCATIONS,
    programs: Collection[str] | None = None,
) -> VerifiedCode:
    """:func:`verify` without the safety net, for tests that prove none is needed."""
    cose = parse_cose_sign1(unwrap_text(text))
    if cose.alg not in SUPPORTED_ALGS:
        raise CodeRejected(ErrorId.UNSUPPORTED_ALG, f"alg {cose.alg}")
    assert cose.alg is not None
    key = trust.find(cose.kid, cose.alg)
    if key is None:
        raise CodeRejected(ErrorId.UNKNOWN_KEY, cose.kid.hex())
    if not key.signature_valid(cose.signature, cose.to_be_signed()):
        raise CodeRejected(ErrorId.BAD_SIGNATURE)
    claims = parse_claims(loads_cbor(cose.payload))
    if claims.iss != key.iss:
        raise CodeRejected(ErrorId.ISSUER_MISMATCH, f"{claims.iss!r} != {key.iss!r}")
    if not key.not_before <= claims.iat < key.not_after:
        raise CodeRejected(ErrorId.KEY_NOT_VALID)
    check_time(claims, now)
    if revoked.is_revoked(claims.cti, claims.sub):
        raise CodeRejected(ErrorId.REVOKED)
    if programs is not None and claims.prg not in programs:
        raise CodeRejected(ErrorId.WRONG_PROGRAM, claims.prg)
    return VerifiedCode(text=text, claims=claims, kid=cose.kid, alg=cose.alg)
