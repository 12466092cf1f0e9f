"""Migration backups, sealed: a consistent copy of the ledger, encrypted with the device secret.

A backup taken before a migration holds what the migration is about to remove
(code texts the server already accepted, unkeyed PIN hashes), so it is never
written in the clear: the copy is made in memory (SQLite's backup API), then
written as AES-256-GCM chunks under the device secret's ``backup`` sub-key,
0600 in a 0700 folder. :func:`restore` turns one back into a plain ledger file
(support's last resort, on the same device or with its secret).

Format: ``MAGIC`` (8 bytes), an 8-byte random nonce prefix, then chunks of
``u32 length || ciphertext``; chunk ``i`` uses nonce ``prefix || u32 i`` and
associated data ``MAGIC || u32 i || last-flag``, so chunks cannot be reordered,
dropped or cut off unnoticed.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import struct
from collections.abc import Iterator
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from merchant_pos.store.device_secret import subkey
from merchant_pos.store.errors import LedgerError, LedgerErrorId
from merchant_pos.store.file_modes import private_dir, private_file

MAGIC = b"MPOSBAK1"
SEALED_SUFFIX = ".sqlite3.sealed"
CHUNK = 1 << 20
PURPOSE = "backup"


def _aad(index: int, last: bool) -> bytes:
    return MAGIC + struct.pack(">I?", index, last)


def _chunks(data: bytes) -> Iterator[tuple[int, bytes, bool]]:
    count = max(1, -(-len(data) // CHUNK))
    for i in range(count):
        yield i, data[i * CHUNK:(i + 1) * CHUNK], i == count - 1


def seal_bytes(data: bytes, target: Path, secret: bytes) -> Path:
    """Write ``data`` (a whole SQLite file) sealed to ``target`` (0600, fsynced)."""
    aead = AESGCM(subkey(secret, PURPOSE))
    prefix = os.urandom(8)
    private_dir(target.parent)
    private_file(target)
    with open(target, "wb") as out:
        out.write(MAGIC + prefix)
        for i, chunk, last in _chunks(data):
            sealed = aead.encrypt(prefix + struct.pack(">I", i), chunk, _aad(i, last))
            out.write(struct.pack(">I", len(sealed)) + sealed)
        out.flush()
        os.fsync(out.fileno())
    return target


def sealed_copy(source: Path, target: Path, secret: bytes) -> Path:
    """A consistent copy of the ledger at ``source`` (WAL included), sealed to ``target``."""
    src = sqlite3.connect(str(source))
    mem = sqlite3.connect(":memory:")
    try:
        src.backup(mem)
        data = mem.serialize()
    finally:
        mem.close()
        src.close()
    return seal_bytes(data, target, secret)


def unseal(path: Path, secret: bytes) -> bytes:
    """The SQLite file inside a sealed backup; CORRUPT if it was altered or the secret differs."""
    raw = path.read_bytes()
    if raw[:8] != MAGIC:
        raise LedgerError(LedgerErrorId.CORRUPT, f"{path.name} is not a sealed backup")
    aead, prefix, pos, out = AESGCM(subkey(secret, PURPOSE)), raw[8:16], 16, bytearray()
    index = 0
    while pos < len(raw):
        (size,) = struct.unpack(">I", raw[pos:pos + 4])
        sealed = raw[pos + 4:pos + 4 + size]
        pos += 4 + size
        try:
            out += aead.decrypt(prefix + struct.pack(">I", index), sealed,
                                _aad(index, pos >= len(raw)))
        except InvalidTag as exc:
            raise LedgerError(LedgerErrorId.CORRUPT,
                              f"{path.name}: altered, cut off, or another device's") from exc
        index += 1
    return bytes(out)


def restore(path: Path, secret: bytes, target: Path) -> Path:
    """Write the ledger inside the sealed backup ``path`` to ``target`` (0600)."""
    data = unseal(path, secret)
    private_file(target)
    target.write_bytes(data)
    return target


def backup_revision(path: Path, secret: bytes) -> str | None:
    """The schema revision stored in a sealed backup (read in memory)."""
    db = sqlite3.connect(":memory:")
    try:
        db.deserialize(unseal(path, secret))
        row = db.execute("SELECT version_num FROM alembic_version").fetchone()
        return None if row is None else str(row[0])
    finally:
        db.close()


def seal_plain_backups(folder: Path, secret: bytes) -> list[Path]:
    """Backups an older version wrote in the clear: sealed, then the plain file
    overwritten with zeros and removed. Returns the sealed files."""
    done: list[Path] = []
    if not folder.is_dir():
        return done
    for plain in sorted(folder.glob("*.sqlite3")):
        target = plain.with_name(plain.name[:-len(".sqlite3")] + SEALED_SUFFIX)
        done.append(seal_bytes(plain.read_bytes(), target, secret))
        with open(plain, "r+b") as handle:
            handle.write(b"\0" * plain.stat().st_size)
            handle.flush()
            os.fsync(handle.fileno())
        plain.unlink()
        for extra in (Path(f"{plain}-wal"), Path(f"{plain}-shm"), Path(f"{plain}-journal")):
            with contextlib.suppress(FileNotFoundError):
                extra.unlink()
    return done
