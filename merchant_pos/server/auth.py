"""Device tokens and enrollment codes: random secrets, stored only as SHA-256 hashes."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine, or_, select, update

from merchant_pos.server.api_errors import DEVICE_REVOKED, UNAUTHORIZED, ApiError
from merchant_pos.server.database import reader
from merchant_pos.server.device_tokens import TokenPolicy, hash_secret, new_token
from merchant_pos.server.schema import devices, merchants

__all__ = ["TOKEN_EXPIRED", "Ctx", "CurrentDevice", "Device", "ServerContext", "hash_secret",
           "new_enrollment_code", "new_token", "normalise_enrollment_code"]
TOKEN_EXPIRED = "token_expired"

# Enrollment codes are typed by a person: no 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


def new_enrollment_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalise_enrollment_code(code: str) -> str:
    """What the clerk typed → canonical form (case, spaces and dashes do not matter)."""
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return f"{raw[:5]}-{raw[5:]}"


@dataclass(frozen=True)
class ServerContext:
    """What every request needs: the database and the clock (injectable for tests)."""

    engine: Engine
    clock: Callable[[], float] = time.time
    tokens: TokenPolicy = field(default_factory=TokenPolicy.from_env)
    idle_lock_minutes: int = 15  # counters lock after this long without activity

    @cached_property
    def reader(self) -> Engine:
        """For requests that only read (no write lock on SQLite)."""
        return reader(self.engine)

    def now(self) -> int:
        return int(self.clock())


@dataclass(frozen=True)
class Device:
    id: str
    merchant_id: str
    name: str
    token_issued_at: int = 0  # of the token this request came with
    pending_successor: bool = False  # a successor was handed out and is not yet used


bearer = HTTPBearer(auto_error=False, description="the device token from /v1/devices/enroll")


def context(request: Request) -> ServerContext:
    ctx: ServerContext = request.app.state.ctx
    return ctx


def current_device(
    ctx: Annotated[ServerContext, Depends(context)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Device:
    if credentials is None or not credentials.credentials:
        raise ApiError(401, UNAUTHORIZED, "A device token is required (Authorization: Bearer).",
                       headers={"WWW-Authenticate": "Bearer"})
    token_hash = hash_secret(credentials.credentials)
    d = devices.c
    with ctx.reader.connect() as conn:
        row = conn.execute(
            select(d.id, d.merchant_id, d.name, d.revoked_at, d.token_hash, d.next_token_hash,
                   d.token_issued_at, d.last_sync_at, d.created_at,
                   merchants.c.max_offline_hours)
            .join(merchants, merchants.c.id == d.merchant_id)
            .where(or_(d.token_hash == token_hash, d.next_token_hash == token_hash))
        ).first()
    if row is None:
        raise ApiError(401, UNAUTHORIZED, "Unknown device token; enroll this POS again.",
                       headers={"WWW-Authenticate": "Bearer"})
    if row.revoked_at is not None:
        raise ApiError(403, DEVICE_REVOKED, "This device was revoked; enroll it again.")
    now = ctx.now()
    last_sync = row.last_sync_at if row.last_sync_at is not None else row.created_at
    if now - last_sync > ctx.tokens.ttl_for(row.max_offline_hours):
        raise ApiError(401, TOKEN_EXPIRED, "This device has not synced for too long and its "
                       "token has expired; enroll this POS again.",
                       headers={"WWW-Authenticate": "Bearer"})
    if row.next_token_hash == token_hash:
        # The successor's first use: from now on it is the token, the previous one is not.
        with ctx.engine.begin() as conn:
            conn.execute(update(devices).where(d.id == row.id, d.next_token_hash == token_hash)
                         .values(token_hash=token_hash, next_token_hash=None,
                                 token_issued_at=now))
        return Device(row.id, row.merchant_id, row.name, now, False)
    issued = row.token_issued_at if row.token_issued_at is not None else row.created_at
    return Device(row.id, row.merchant_id, row.name, issued, row.next_token_hash is not None)


CurrentDevice = Annotated[Device, Depends(current_device)]
Ctx = Annotated[ServerContext, Depends(context)]
