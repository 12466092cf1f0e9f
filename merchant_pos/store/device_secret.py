"""The device secret: 32 random bytes that key what the ledger file alone must not reveal.

PIN hashes are keyed with it (``purpose="pin"``), migration backups are sealed
with it (``"backup"``), and the audit chain can be keyed with it (``"audit"``):
each use takes its own sub-key, so no two uses share key material.

It lives in the OS keyring; where there is none (headless Linux), in
``device-secret.key`` (0600) beside the ledger. Neither is in the ledger file
or its migration backups, and support bundles must leave out
:data:`CREDENTIAL_FILES`. Lose it and the keyed PIN hashes cannot be checked:
the supervisor recovery of the staff issue applies (``Ledger.secret_replaced``
says so).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import keyring
import keyring.errors
from keyring.backends import fail

from merchant_pos.store.file_modes import restrict, write_private_text

SERVICE = "merchant-pos"
SECRET_FILE = "device-secret.key"
TOKEN_FILE = "device-credentials.json"  # the sync token's fallback (merchant_pos.sync)
CREDENTIAL_FILES = (SECRET_FILE, TOKEN_FILE)
"""Files of the data folder that no backup or support bundle may copy."""
SECRET_BYTES = 32
FINGERPRINT_SETTING = "device_secret.fingerprint"


@dataclass(frozen=True)
class DeviceSecret:
    """The secret itself never shows in ``repr``; use :meth:`subkey` per purpose."""

    value: bytes = field(repr=False)

    def subkey(self, purpose: str) -> bytes:
        return hmac.new(self.value, b"merchant-pos/" + purpose.encode(), hashlib.sha256).digest()

    @property
    def fingerprint(self) -> str:
        """Not secret: lets the ledger notice that its secret was replaced."""
        return self.subkey("fingerprint").hex()[:16]


def keyring_usable() -> bool:
    backend = keyring.get_keyring()
    return not isinstance(backend, fail.Keyring) and backend.priority > 0


class DeviceSecretStore:
    """Keyring first, else the 0600 file in the data folder; one secret per data folder."""

    def __init__(self, data_dir: Path, *, use_keyring: bool = True) -> None:
        self.data_dir = Path(data_dir)
        self.use_keyring = use_keyring
        self.path = self.data_dir / SECRET_FILE
        where = str(self.data_dir.expanduser().resolve()).encode()
        self.account = "device-secret-" + hashlib.sha256(where).hexdigest()[:16]

    def _keyring(self) -> bool:
        return self.use_keyring and keyring_usable()

    def load(self) -> DeviceSecret | None:
        """The file where one exists (it was made because no keyring was there; checked
        first, it also spares every start-up the keyring's slow backend probe), else
        the keyring."""
        try:
            restrict(self.path)
            return _decode(self.path.read_text(encoding="ascii"))
        except (FileNotFoundError, UnicodeDecodeError):
            pass
        if self._keyring():
            try:
                raw = keyring.get_password(SERVICE, self.account)
            except keyring.errors.KeyringError:
                raw = None
            if raw is not None:
                return _decode(raw)
        return None

    def load_or_create(self) -> tuple[DeviceSecret, bool]:
        """The stored secret, or a new one stored now; ``True`` when it was created."""
        found = self.load()
        if found is not None:
            return found, False
        secret = DeviceSecret(secrets.token_bytes(SECRET_BYTES))
        text = base64.b64encode(secret.value).decode("ascii")
        if self._keyring():
            try:
                keyring.set_password(SERVICE, self.account, text)
                return secret, True
            except keyring.errors.KeyringError:
                pass
        write_private_text(self.path, text)
        return secret, True


def _decode(text: str) -> DeviceSecret | None:
    try:
        value = base64.b64decode(text.strip(), validate=True)
    except ValueError:
        return None
    return DeviceSecret(value) if len(value) == SECRET_BYTES else None
