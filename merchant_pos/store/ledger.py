"""The ledger: one SQLite file, migrated at start-up, with read and write transactions."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from merchant_pos.store import migrate
from merchant_pos.store.audit import AuditHead, AuditLog, AuditVerification
from merchant_pos.store.device_secret import DeviceSecretStore
from merchant_pos.store.engine import (
    BEGIN_OPTION,
    DEFAULT_BUSY_TIMEOUT_MS,
    BackgroundCheckpointer,
    create_ledger_engine,
    raw_connection,
    translated_errors,
)
from merchant_pos.store.errors import LedgerError, LedgerErrorId
from merchant_pos.store.paths import data_dir, ledger_path

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
        anything is written to it. ``secrets`` holds the device secret that keys the
        audit chain (default: the keyring, else ``credentials/`` in the data folder).
        """
        if path is None:
            folder = data_dir(directory)
            with translated_errors():
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise LedgerError(LedgerErrorId.CANNOT_OPEN, str(exc)) from exc
            path = ledger_path(folder)
        if str(path) != ":memory:":
            _check_writable(path)
            migrate.check_not_newer(path)
        engine = create_ledger_engine(path, busy_timeout_ms)
        try:
            with translated_errors():
                backup = migrate.upgrade(engine, path)
        except BaseException:
            engine.dispose()
            raise
        store = secrets or DeviceSecretStore(path.parent)
        existing = store.load()
        secret = existing if existing is not None else store.load_or_create()
        ledger = cls(engine, path, clock, secret=secret, monotonic=monotonic)
        try:
            with ledger.write() as session:
                ledger.audit.key_existing_chain(raw_connection(session), clock(),
                                                secret_is_new=existing is None)
        except BaseException:
            engine.dispose()
            raise
        ledger.backup_taken = backup
        if background_checkpoints:
            ledger.checkpointer = BackgroundCheckpointer(engine)
            ledger.checkpointer.start()
        return ledger

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
