"""The device secret: 32 random bytes that key the audit chain (and, for issue 11 item 5,
the PIN hashes), held in the OS keyring, else in a user-only file.

The ledger file alone is then not enough to recompute the chain or search a PIN:
whoever edits ``ledger.sqlite3`` without the secret leaves marks ``audit verify``
sees. The secret never goes into the database, a log or a support bundle.

Where it lives:

* the OS keyring (service ``merchant-pos``, one account per data folder);
* where there is none (headless Linux), ``<data folder>/credentials/device-secret``,
  mode 0600 in a 0700 folder. Backups (``backups/``) copy the ledger file only and
  support bundles must leave ``credentials/`` out (``SECRET_FOLDER``).

Losing the secret (a new PC, a wiped keyring) makes old chain rows unverifiable and
old PIN hashes unusable: the supervisor recovery of the staff issue applies.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import stat
import tempfile
import threading
from pathlib import Path

import keyring
import keyring.errors
from keyring.backends import fail

SERVICE = "merchant-pos"
SECRET_FOLDER = "credentials"
SECRET_FILE = "device-secret"
SECRET_BYTES = 32


class DeviceSecretStore:
    """Loads the secret, creating it on first use. ``use_keyring=False``: file only."""

    def __init__(self, data_dir: Path, *, use_keyring: bool = True) -> None:
        self.data_dir = Path(data_dir)
        self.use_keyring = use_keyring
        self.fallback_path = self.data_dir / SECRET_FOLDER / SECRET_FILE
        folder_id = hashlib.sha256(str(self.data_dir.resolve()).encode()).hexdigest()[:16]
        self.account = f"device-secret-{folder_id}"
        self._lock = threading.Lock()

    def keyring_available(self) -> bool:
        if not self.use_keyring:
            return False
        backend = keyring.get_keyring()
        return not isinstance(backend, fail.Keyring) and backend.priority > 0

    def load(self) -> bytes | None:
        """The stored secret, or None when there is none yet."""
        if self.keyring_available():
            try:
                raw = keyring.get_password(SERVICE, self.account)
            except keyring.errors.KeyringError:
                raw = None
            if raw:
                return _decode(raw)
        try:
            return _decode(self.fallback_path.read_text(encoding="ascii"))
        except (FileNotFoundError, UnicodeDecodeError):
            return None

    def load_or_create(self) -> bytes:
        with self._lock:
            found = self.load()
            if found is not None:
                return found
            self._save(secrets.token_bytes(SECRET_BYTES))
            saved = self.load()  # another process may have made one first: theirs wins
            if saved is None:
                raise OSError(f"the device secret could not be stored in {self.fallback_path}")
            return saved

    def where(self) -> str:
        """"keyring" or "file": where the secret is (for ``self-test`` and support)."""
        if self.keyring_available():
            with contextlib.suppress(keyring.errors.KeyringError):
                if keyring.get_password(SERVICE, self.account):
                    return "keyring"
        return "file"

    def _save(self, secret: bytes) -> None:
        if self.keyring_available():
            try:
                keyring.set_password(SERVICE, self.account, secret.hex())
            except keyring.errors.KeyringError:
                pass
            else:
                return
        self._write_file(secret.hex())

    def _write_file(self, content: str) -> None:
        write_user_only(self.fallback_path, content, exclusive=True)


def write_user_only(path: Path, content: str, *, exclusive: bool = False) -> None:
    """Write ``content`` to ``path`` atomically and durably, readable by the user only
    (0600 in a 0700 folder on POSIX; on Windows the profile folder's ACL applies).
    ``exclusive``: keep an existing file (the first of several racing writers wins)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=".cred-", dir=path.parent)  # created 0600
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, stat.S_IRUSR | stat.S_IWUSR)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        if exclusive:
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _decode(raw: str) -> bytes | None:
    try:
        value = bytes.fromhex(raw.strip())
    except ValueError:
        return None
    return value if len(value) == SECRET_BYTES else None
