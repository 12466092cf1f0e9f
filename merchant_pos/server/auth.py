"""Device tokens and enrollment codes: random secrets, stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine, select

from merchant_pos.server.api_errors import DEVICE_REVOKED, UNAUTHORIZED, ApiError
from merchant_pos.server.database import reader
from merchant_pos.server.schema import devices

# Enrollment codes are typed by a person: no 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


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
    with ctx.reader.connect() as conn:
        row = conn.execute(
            select(devices.c.id, devices.c.merchant_id, devices.c.name, devices.c.revoked_at)
            .where(devices.c.token_hash == token_hash)
        ).first()
    if row is None:
        raise ApiError(401, UNAUTHORIZED, "Unknown device token; enroll this POS again.",
                       headers={"WWW-Authenticate": "Bearer"})
    if row.revoked_at is not None:
        raise ApiError(403, DEVICE_REVOKED, "This device was revoked; enroll it again.")
    return Device(row.id, row.merchant_id, row.name)


CurrentDevice = Annotated[Device, Depends(current_device)]
Ctx = Annotated[ServerContext, Depends(context)]
