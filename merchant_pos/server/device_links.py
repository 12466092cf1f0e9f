"""Who a device is: the devices it replaced, the answers it may get, what to flag.

Re-enrolling a data folder links the new device to the old one when the
counter proves it holds the old token (kept in its token store; a revoked
token still proves who it was). The old device is retired (revoked) then, so
a copied folder cannot go on with it. Answers about redemptions (duplicate,
status) are given to the device that made them or to its successors, never
to another device, even of the same merchant.

Redemptions uploaded through a successor that its revoked predecessor made
after the revocation (by the counter's clock, the only one there is for now)
and before the new enrollment are recorded with ``review = device_revoked``.

Enrollment attempts are rate-limited in the database (shared by every server
process): failed attempts per client address, and all attempts per code.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Connection, delete, func, select, update

from merchant_pos.server.api_errors import RATE_LIMITED, ApiError
from merchant_pos.server.api_models import EnrollRequest
from merchant_pos.server.auth import Ctx, hash_secret, normalise_enrollment_code
from merchant_pos.server.schema import devices, enrollment_attempts

DEVICE_REVOKED_REVIEW = "device_revoked"
MAX_CHAIN = 16


@dataclass(frozen=True)
class EnrollLimits:
    window: int = 600  # seconds
    failures_per_address: int = 20
    attempts_per_code: int = 10


def link_previous(conn: Connection, device_id: str, merchant_id: str,
                  previous_token: str | None, now: int) -> str | None:
    """Link ``device_id`` to the device whose token is ``previous_token`` (same merchant);
    retire that one. Returns its id, or None (no token, or not one of this merchant's)."""
    if not previous_token:
        return None
    d = devices.c
    old = conn.execute(select(d.id, d.revoked_at).where(
        d.token_hash == hash_secret(previous_token), d.merchant_id == merchant_id,
        d.id != device_id)).first()
    if old is None:
        return None
    conn.execute(update(devices).where(d.id == device_id).values(previous_id=old.id))
    if old.revoked_at is None:
        conn.execute(update(devices).where(d.id == old.id).values(revoked_at=now))
    return str(old.id)


def predecessors(conn: Connection, device_id: str) -> list[tuple[str, int | None]]:
    """(id, revoked_at) of the devices ``device_id`` replaced, nearest first."""
    d = devices.c
    out: list[tuple[str, int | None]] = []
    current = conn.scalar(select(d.previous_id).where(d.id == device_id))
    while current is not None and len(out) < MAX_CHAIN and current not in dict(out):
        row = conn.execute(select(d.revoked_at, d.previous_id).where(d.id == current)).first()
        if row is None:
            break
        out.append((current, row.revoked_at))
        current = row.previous_id
    return out


@dataclass(frozen=True)
class Lineage:
    """A pushing device and the devices it replaced."""

    ids: frozenset[str]
    review_from: int | None  # made at or after this (a predecessor's revocation) ...
    review_until: int  # ... and before this device was enrolled: flagged

    def review(self, at: int) -> str | None:
        if self.review_from is not None and self.review_from <= at < self.review_until:
            return DEVICE_REVOKED_REVIEW
        return None


def lineage(conn: Connection, device_id: str) -> Lineage:
    chain = predecessors(conn, device_id)
    created = conn.scalar(select(devices.c.created_at).where(devices.c.id == device_id))
    revoked = [at for _, at in chain if at is not None]
    return Lineage(frozenset([device_id, *(i for i, _ in chain)]),
                   min(revoked) if revoked else None, int(created or 0))


def enrollment_rate_limit(request: Request, body: EnrollRequest, ctx: Ctx) -> Iterator[None]:
    """A dependency of the enroll route: refuse (429) over the limits, then record the
    attempt, failed or not, when the handler is done."""
    limits: EnrollLimits = getattr(request.app.state, "enroll_limits", EnrollLimits())
    address = (request.client.host if request.client else "")[:64]
    code_hash = hash_secret(normalise_enrollment_code(body.code))
    now = ctx.now()
    a = enrollment_attempts.c
    since = now - limits.window
    with ctx.engine.begin() as conn:
        conn.execute(delete(enrollment_attempts).where(a.at < since))
        failures = conn.scalar(select(func.count()).where(
            a.address == address, a.failed.is_(True), a.at >= since))
        tries = conn.scalar(select(func.count()).where(a.code_hash == code_hash, a.at >= since))
    if (failures or 0) >= limits.failures_per_address or (tries or 0) >= limits.attempts_per_code:
        raise ApiError(429, RATE_LIMITED, "Too many enrollment attempts; try again later.",
                       headers={"Retry-After": str(limits.window)})
    failed = True
    try:
        yield
        failed = False
    finally:
        with suppress(Exception), ctx.engine.begin() as conn:
            conn.execute(enrollment_attempts.insert().values(
                address=address, code_hash=code_hash, at=now, failed=failed))


EnrollRateLimit = Annotated[None, Depends(enrollment_rate_limit)]
