"""Device tokens that rotate and expire, and enrollment answers that can be repeated.

Rotation: at a sync (``GET /v1/config``) whose token is older than
``rotate_after``, the server hands out a successor and stores its hash as
``next_token_hash``. Both tokens work until the successor is first used; that
use promotes it and the previous token stops working. If the answer carrying
the successor is lost, the device keeps using the old token and the next sync
hands out a fresh successor (the lost one never becomes valid).

Expiry: a token stops working after ``ttl`` without a sync (default 14 days,
and never less than twice the merchant's offline limit, so a counter that is
allowed to be offline is never locked out by it); the device must enroll again.

Repeatable enrollment: the device sends a random request id with the code. The
server keeps the id's hash and the issued token sealed (AES-GCM) under a key
derived from the id, so the same request with the same code (its answer was
lost) gets the same device and token back, and the database alone does not
reveal the token.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

HOUR = 3600
DEFAULT_TTL_HOURS = 14 * 24
DEFAULT_ROTATE_HOURS = 24
REPLAY_GRACE_SECONDS = 24 * HOUR  # how long after use a lost enrollment answer is repeated
_SEAL_CONTEXT = b"merchant-pos enrollment token seal v1"


@dataclass(frozen=True)
class TokenPolicy:
    ttl_seconds: int = DEFAULT_TTL_HOURS * HOUR
    rotate_after_seconds: int = DEFAULT_ROTATE_HOURS * HOUR

    @classmethod
    def from_env(cls) -> TokenPolicy:
        """``MPOS_TOKEN_TTL_HOURS`` and ``MPOS_TOKEN_ROTATE_HOURS`` (whole hours)."""
        def hours(name: str, default: int) -> int:
            raw = os.environ.get(name, "").strip()
            return int(raw) * HOUR if raw.isdigit() and int(raw) > 0 else default * HOUR
        return cls(hours("MPOS_TOKEN_TTL_HOURS", DEFAULT_TTL_HOURS),
                   hours("MPOS_TOKEN_ROTATE_HOURS", DEFAULT_ROTATE_HOURS))

    def ttl_for(self, max_offline_hours: int) -> int:
        """The token lifetime for a merchant: never under twice its offline limit."""
        return max(self.ttl_seconds, 2 * max_offline_hours * HOUR)


def hash_secret(secret: str) -> str:
    """Tokens and codes are random secrets: stored only as their SHA-256."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def _seal_key(request_id: str) -> bytes:
    return hashlib.sha256(_SEAL_CONTEXT + b"\0" + request_id.encode()).digest()


def seal_token(token: str, request_id: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_seal_key(request_id)).encrypt(nonce, token.encode(), _SEAL_CONTEXT)
    return base64.b64encode(nonce + sealed).decode()


def unseal_token(sealed: str, request_id: str) -> str | None:
    try:
        raw = base64.b64decode(sealed)
        token = AESGCM(_seal_key(request_id)).decrypt(raw[:12], raw[12:], _SEAL_CONTEXT)
    except (ValueError, InvalidTag):
        return None
    return token.decode()
