"""Issuer private keys encrypted at rest with a key-encryption key (KEK) kept outside
the database.

Stored form: ``mpos-kek1:<kek id>:<Base64(nonce || AES-256-GCM ciphertext)>``, the
key's kid as associated data (a wrapped key cannot be moved to another row). The
KEK id is the first 8 hex digits of SHA-256 of the KEK, so a key wrapped under an
older KEK is recognised during a rotation.

Where the KEK comes from, first found wins:

1. ``$MPOS_SERVER_KEK``: the KEK itself, 32 bytes in (URL-safe) Base64;
2. ``$MPOS_SERVER_KEK_FILE``: a file holding that text (created, mode 0600, when
   missing);
3. for a SQLite database only: ``<database file>.kek`` beside it (created 0600),
   so the demo and a single-machine server work out of the box. A copy of the
   database alone does not give the keys away.

PostgreSQL without 1 or 2 is refused. Rotation: set the new KEK as above and the
old one in ``$MPOS_SERVER_KEK_OLD`` (or ``$MPOS_SERVER_KEK_OLD_FILE``), run
``merchant-pos-server key rewrap``, then drop the old one. ``key rewrap`` also
encrypts keys stored in plaintext by an older server.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine, select, update

from merchant_pos.server.schema import issuer_keys

PREFIX = "mpos-kek1"
ENV_KEK, ENV_KEK_FILE = "MPOS_SERVER_KEK", "MPOS_SERVER_KEK_FILE"
ENV_OLD_KEK, ENV_OLD_KEK_FILE = "MPOS_SERVER_KEK_OLD", "MPOS_SERVER_KEK_OLD_FILE"


class KeyWrapError(RuntimeError):
    """No usable key-encryption key, or a wrapped key that does not open."""


def _decode(text: str, where: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.strip().replace("+", "-").replace("/", "_"))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise KeyWrapError(f"{where} must hold a 32-byte key in Base64")
    return raw


def _from_file(path: Path, *, create: bool) -> bytes:
    if not path.exists():
        if not create:
            raise KeyWrapError(f"the key-encryption key file {path} does not exist")
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and linked into place: several server workers starting at once
        # agree on one KEK, and none reads a half-written file.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(base64.urlsafe_b64encode(os.urandom(32)).decode() + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            tmp.unlink()
    return _decode(path.read_text(encoding="ascii"), str(path))


def current_kek(engine: Engine) -> bytes:
    if os.environ.get(ENV_KEK):
        return _decode(os.environ[ENV_KEK], f"${ENV_KEK}")
    if os.environ.get(ENV_KEK_FILE):
        return _from_file(Path(os.environ[ENV_KEK_FILE]), create=True)
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        return _from_file(Path(f"{engine.url.database}.kek"), create=True)
    raise KeyWrapError(f"set ${ENV_KEK_FILE} (or ${ENV_KEK}) to the key-encryption key that "
                       "protects the issuer keys; it is never stored in the database")


def _old_keks() -> list[bytes]:
    out = []
    if os.environ.get(ENV_OLD_KEK):
        out.append(_decode(os.environ[ENV_OLD_KEK], f"${ENV_OLD_KEK}"))
    if os.environ.get(ENV_OLD_KEK_FILE):
        out.append(_from_file(Path(os.environ[ENV_OLD_KEK_FILE]), create=False))
    return out


def kek_id(kek: bytes) -> str:
    return hashlib.sha256(kek).hexdigest()[:8]


def wrap(pem: bytes, kid: str, kek: bytes) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(kek).encrypt(nonce, pem, kid.encode())
    return f"{PREFIX}:{kek_id(kek)}:{base64.b64encode(nonce + sealed).decode()}"


def is_wrapped(stored: str) -> bool:
    return stored.startswith(PREFIX + ":")


def unwrap(stored: str, kid: str, engine: Engine) -> bytes:
    """The PEM of a stored private key (plaintext from an older server passes through)."""
    if not is_wrapped(stored):
        return stored.encode()
    _, wanted, blob = stored.split(":", 2)
    for kek in [current_kek(engine), *_old_keks()]:
        if kek_id(kek) != wanted:
            continue
        raw = base64.b64decode(blob)
        try:
            return AESGCM(kek).decrypt(raw[:12], raw[12:], kid.encode())
        except InvalidTag:
            raise KeyWrapError(f"issuer key {kid} does not open with its KEK") from None
    raise KeyWrapError(f"issuer key {kid} is wrapped with KEK {wanted}, which is not "
                       f"configured (set ${ENV_OLD_KEK_FILE} during a rotation)")


def rewrap_all(engine: Engine) -> int:
    """Wrap every issuer key with the current KEK (after a rotation, or plaintext ones).
    Returns how many rows changed."""
    kek = current_kek(engine)
    k = issuer_keys.c
    changed = 0
    with engine.begin() as conn:
        for row in conn.execute(select(k.kid, k.private_pem)).all():
            if is_wrapped(row.private_pem) and row.private_pem.split(":")[1] == kek_id(kek):
                continue
            pem = unwrap(row.private_pem, row.kid, engine)
            conn.execute(update(issuer_keys).where(k.kid == row.kid)
                         .values(private_pem=wrap(pem, row.kid, kek)))
            changed += 1
    return changed
