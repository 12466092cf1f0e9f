"""Where the device token lives: the OS keyring, else a file only the user can read.

Never in the database, a config file or a log: :class:`DeviceToken` hides
its value from ``repr``/``str``, and nothing here logs it.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import keyring
import keyring.errors
from keyring.backends import fail

from merchant_pos.store.device_secret import write_user_only

SERVICE = "merchant-pos"
FALLBACK_FILE = "device-credentials.json"


@dataclass(frozen=True)
class DeviceToken:
    """The enrolled device's identity; ``secret`` never shows in repr or logs."""

    server_url: str
    device_id: str
    secret: str = field(repr=False)

    def __str__(self) -> str:
        return f"DeviceToken(server_url={self.server_url!r}, device_id={self.device_id!r})"

    def to_json(self) -> str:
        return json.dumps({"server_url": self.server_url, "device_id": self.device_id,
                           "secret": self.secret})

    @classmethod
    def from_json(cls, raw: str) -> DeviceToken | None:
        try:
            data = json.loads(raw)
            return cls(str(data["server_url"]), str(data["device_id"]), str(data["secret"]))
        except (ValueError, KeyError, TypeError):
            return None


class TokenStore:
    """Keyring first; the user-only file under ``data_dir`` where no keyring exists.

    ``account`` separates several POS profiles on one machine (one per data dir).
    """

    def __init__(self, data_dir: Path, account: str = "device", *,
                 use_keyring: bool = True) -> None:
        self.data_dir = Path(data_dir)
        self.account = account
        self.use_keyring = use_keyring
        self.fallback_path = self.data_dir / FALLBACK_FILE

    def keyring_available(self) -> bool:
        if not self.use_keyring:
            return False
        backend = keyring.get_keyring()
        return not isinstance(backend, fail.Keyring) and backend.priority > 0

    def save(self, token: DeviceToken) -> str:
        """Store ``token``; returns where ("keyring" or "file")."""
        if self.keyring_available():
            try:
                keyring.set_password(SERVICE, self.account, token.to_json())
            except keyring.errors.KeyringError:
                pass
            else:
                self._remove_file()
                return "keyring"
        self._write_file(token.to_json())
        return "file"

    def load(self) -> DeviceToken | None:
        if self.keyring_available():
            try:
                raw = keyring.get_password(SERVICE, self.account)
            except keyring.errors.KeyringError:
                raw = None
            if raw is not None:
                return DeviceToken.from_json(raw)
        try:
            raw = self.fallback_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        return DeviceToken.from_json(raw)

    def clear(self) -> None:
        if self.keyring_available():
            with contextlib.suppress(keyring.errors.KeyringError):
                keyring.delete_password(SERVICE, self.account)
        self._remove_file()

    def _write_file(self, content: str) -> None:
        write_user_only(self.fallback_path, content)

    def _remove_file(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.fallback_path.unlink()
