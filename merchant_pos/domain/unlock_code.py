"""One-time unlock codes: the server's admin makes one, the counter checks it offline.

A code is ``base32(expires (4 bytes) || HMAC-SHA256(key, message)[:10])``, in
groups of four letters, where ``message`` names the device, the operator and
the expiry. ``key`` is the SHA-256 of the device's token: the server keeps
exactly that hash, the counter has the token, so both can compute it and no
one else can. The counter remembers codes it has used (one use each).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

_MAC_BYTES = 10
_TYPO = str.maketrans({"0": "O", "1": "I", "8": "B"})


def device_key(token_secret: str) -> bytes:
    """The key both sides hold: SHA-256 of the device token (what the server stores)."""
    return hashlib.sha256(token_secret.encode()).digest()


def _mac(key: bytes, device_id: str, operator: str, expires: int) -> bytes:
    message = f"merchant-pos unlock\n{device_id}\n{operator.strip()}\n{expires}".encode()
    return hmac.new(key, message, hashlib.sha256).digest()[:_MAC_BYTES]


def make_unlock_code(key: bytes, device_id: str, operator: str, expires: int) -> str:
    raw = expires.to_bytes(4, "big") + _mac(key, device_id, operator, expires)
    text = base64.b32encode(raw).decode().rstrip("=")
    return "-".join(text[i:i + 4] for i in range(0, len(text), 4))


@dataclass(frozen=True, slots=True)
class UnlockCode:
    expires: int
    mac: bytes

    @property
    def fingerprint(self) -> str:
        """What the counter stores to refuse a second use."""
        return self.mac.hex()


def parse_unlock_code(text: str) -> UnlockCode | None:
    """The typed code (case, spaces, dashes and 0/1/8 for O/I/B forgiven), or None."""
    letters = "".join(ch for ch in text.upper() if ch.isalnum()).translate(_TYPO)
    try:
        raw = base64.b32decode(letters + "=" * (-len(letters) % 8))
    except ValueError:
        return None
    if len(raw) != 4 + _MAC_BYTES:
        return None
    return UnlockCode(int.from_bytes(raw[:4], "big"), raw[4:])


def check_unlock_code(code: UnlockCode, key: bytes, device_id: str, operator: str,
                      now: int) -> bool:
    """True when the code was made for this device and operator and has not expired."""
    if now > code.expires:
        return False
    return hmac.compare_digest(code.mac, _mac(key, device_id, operator, code.expires))
