"""The ledger: one SQLite file, migrated at start-up, with read and write transactions."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from merchant_pos.store import backups, file_modes, migrate
from merchant_pos.store.audit import AuditHead, AuditLog, AuditVerification
from merchant_pos.store.device_secret import (
    FINGERPRINT_SETTING,
    DeviceSecretStore,
    fingerprint,
)
from merchant_pos.store.engine import (
    BEGIN_OPTION,
    DEFAULT_BUSY_TIMEOUT_MS,
    PURGE_ATTEMPTS,
    BackgroundCheckpointer,
    create_ledger_engine,
    purge_wal,
    raw_connection,
    translated_errors,
)
from merchant_pos.store.errors import LedgerError, LedgerErrorId
from merchant_pos.store.paths import BACKUP_DIR, data_dir, ledger_path

Clock = Callable[[], int]
"""Returns the current UTC epoch seconds (the sync engine may inject a corrected clock)."""


def system_clock() -> int:
    return int(time.time())


def _check_writable(path: Path) -> None:
    """Refuse a read-only file or folder up front (SQLite needs both for WAL)."""
    for target in (path, path.parent, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if target.exists() and not os.access(target, os.W_OK):
            raise LedgerError(LedgerErrorId.READ_ONLY, f"{target} is not writable")


class Ledger:
    """An open ledger file. Use :meth:`open`; share one per process.

    ``write()`` yields an ORM session inside ``BEGIN IMMEDIATE`` (the write
    lock is taken at once, so read-then-write decisions cannot race) and
    commits on leaving; ``read()`` yields one inside a deferred transaction
    (a consistent WAL snapshot) and rolls back. SQLite failures come out as
    :class:`LedgerError` with a clear message; nothing partial is committed.
    """

    def __init__(self, engine: Engine, path: Path, clock: Clock = system_clock, *,
                 secret: bytes, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.engine = engine
        self.path = path
        self.clock = clock
        self.monotonic = monotonic  # the trusted-time mark measures elapsed time with it
        # Keys the audit chain and the PIN hashes, seals backups (store.device_secret).
        self.device_secret = secret
        self.secret_replaced = False  # the ledger knew another secret: PINs need recovery
        self.audit = AuditLog(secret)
        self.writer = engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})
        self.backup_taken: Path | None = None
        self.checkpointer: BackgroundCheckpointer | None = None

    @classmethod
    def open(cls, directory: str | Path | None = None, *, path: Path | None = None,
             clock: Clock = system_clock,
             busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
             background_checkpoints: bool = True,
             secrets: DeviceSecretStore | None = None,
             monotonic: Callable[[], float] = time.monotonic) -> Ledger:
        """Open (creating, or migrating after a backup) the ledger.

        ``directory`` overrides the data dir (``--data-dir``); ``path`` names the
        file directly. A database from a newer program version is refused before
        anything is written to it. The data folder is made 0700 and the ledger's
        files 0600 (POSIX). ``secrets`` holds the device secret that keys the audit
        chain and the PIN hashes and seals migration backups (default: the keyring,
        else ``credentials/`` in the data folder).
        """
        if path is None:
            folder = data_dir(directory)
            with translated_errors():
                try:
                    file_modes.private_dir(folder)
                except OSError as exc:
                    raise LedgerError(LedgerErrorId.CANNOT_OPEN, str(exc)) from exc
            path = ledger_path(folder)
        secret: bytes | None = None
        existing: bytes | None = None
        if str(path) != ":memory:":
            _check_writable(path)
            migrate.check_not_newer(path)
            try:
                file_modes.private_file(path)
                file_modes.restrict_ledger_files(path)
                # Before migrating: it seals the backup and keys the old PIN hashes.
                store = secrets or DeviceSecretStore(path.parent)
                existing = store.load()
                secret = existing if existing is not None else store.load_or_create()
            except OSError as exc:
                raise LedgerError(LedgerErrorId.CANNOT_OPEN, str(exc)) from exc
        engine = create_ledger_engine(path, busy_timeout_ms)
        try:
            with translated_errors():
                backup = migrate.upgrade(engine, path, secret=secret)
                if secret is not None:
                    backups.seal_plain_backups(path.parent / BACKUP_DIR, secret)
                file_modes.restrict_ledger_files(path)
        except BaseException:
            engine.dispose()
            raise
        if secret is None:  # ":memory:" cannot be WAL: refused above, by its pragmas
            raise LedgerError(LedgerErrorId.CANNOT_OPEN, "no device secret")
        ledger = cls(engine, path, clock, secret=secret, monotonic=monotonic)
        try:
            with ledger.write() as session:
                ledger.audit.key_existing_chain(raw_connection(session), clock(),
                                                secret_is_new=existing is None)
        except BaseException:
            engine.dispose()
            raise
        ledger.backup_taken = backup
        ledger.secret_replaced = ledger._note_fingerprint(secret)
        if background_checkpoints:
            ledger.checkpointer = BackgroundCheckpointer(engine)
            ledger.checkpointer.start()
        return ledger

    def _note_fingerprint(self, secret: bytes) -> bool:
        """Remember which secret keys this ledger; ``True`` if it knew another one (lost
        keyring or credentials file: the keyed PIN hashes no longer check)."""
        with self.write() as session:
            db = raw_connection(session)
            row = db.execute("SELECT value FROM settings WHERE key = ?",
                             (FINGERPRINT_SETTING,)).fetchone()
            known = json.loads(row[0]) if row else None
            if known == fingerprint(secret):
                return False
            db.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO "
                       "UPDATE SET value = excluded.value",
                       (FINGERPRINT_SETTING, json.dumps(fingerprint(secret))))
            return known is not None

    def purge_wal(self, attempts: int = PURGE_ATTEMPTS) -> bool:
        """Empty the -wal file (see :func:`merchant_pos.store.engine.purge_wal`), with the
        background checkpointer paused so the two checkpoints do not collide."""
        with nullcontext() if self.checkpointer is None else self.checkpointer.paused():
            return purge_wal(self.engine, attempts)

    def close(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.stop()
        self.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[Session]:
        with (translated_errors(), Session(self.writer, expire_on_commit=False) as session,
              session.begin()):
            yield session

    @contextmanager
    def read_raw(self) -> Iterator[sqlite3.Connection]:
        with translated_errors(), self.engine.connect() as conn, conn.begin():
            try:
                yield raw_connection(conn)
            finally:
                conn.rollback()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with translated_errors(), Session(self.engine, expire_on_commit=False) as session:
            session.begin()
            try:
                yield session
            finally:
                session.close()  # ends the read transaction; loaded rows stay readable

    def verify_audit(self) -> AuditVerification:
        """The chain under this device's secret, then the books against it."""
        with self.read() as session:
            return self.audit.verify(session)

    def audit_head(self) -> AuditHead:
        """The chain's last (seq, hash): the sync engine sends it to the server."""
        with self.read() as session:
            return self.audit.head(session)

    def integrity_ok(self) -> bool:
        with self.read() as session:
            rows = session.connection().exec_driver_sql("PRAGMA integrity_check").all()
        return [tuple(r) for r in rows] == [("ok",)]
