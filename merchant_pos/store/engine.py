"""The SQLite engine of the ledger: safety pragmas on every connection, checked.

Every connection gets ``journal_mode=WAL``, ``synchronous=FULL``,
``foreign_keys=ON``, ``secure_delete=ON`` (deleted content is overwritten with
zeros, so free pages keep nothing) and a busy timeout, and the values are read back; a
connection where any did not take raises :class:`LedgerError` and the ledger
refuses to run. Transactions are begun explicitly (pysqlite's own implicit
transactions are switched off) so writers can use ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from merchant_pos.store.errors import LedgerError, LedgerErrorId

DEFAULT_BUSY_TIMEOUT_MS = 5000
BEGIN_OPTION = "ledger_begin"  # execution option: "DEFERRED" (default) or "IMMEDIATE"

# SQLite primary result codes (extended codes keep them in the low byte).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 5, 6, 8
_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN = 10, 11, 13, 14
_SQLITE_NOTADB = 26
_BY_CODE = {
    _SQLITE_BUSY: LedgerErrorId.LOCKED,
    _SQLITE_LOCKED: LedgerErrorId.LOCKED,
    _SQLITE_READONLY: LedgerErrorId.READ_ONLY,
    _SQLITE_IOERR: LedgerErrorId.IO_ERROR,
    _SQLITE_CORRUPT: LedgerErrorId.CORRUPT,
    _SQLITE_NOTADB: LedgerErrorId.CORRUPT,
    _SQLITE_FULL: LedgerErrorId.DISK_FULL,
    _SQLITE_CANTOPEN: LedgerErrorId.CANNOT_OPEN,
}


def apply_pragmas(dbapi_conn: sqlite3.Connection, busy_timeout_ms: int) -> None:
    """Set the safety pragmas on a raw connection and refuse it if any did not take."""
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
    cur = dbapi_conn.cursor()
    try:
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        mode = cur.execute("PRAGMA journal_mode = WAL").fetchone()
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA secure_delete = ON")
        got = {
            "journal_mode": str(mode[0]).lower() if mode else None,
            "synchronous": cur.execute("PRAGMA synchronous").fetchone()[0],
            "foreign_keys": cur.execute("PRAGMA foreign_keys").fetchone()[0],
            "secure_delete": cur.execute("PRAGMA secure_delete").fetchone()[0],
            "busy_timeout": cur.execute("PRAGMA busy_timeout").fetchone()[0],
        }
    finally:
        cur.close()
    want = {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1, "secure_delete": 1,
            "busy_timeout": int(busy_timeout_ms)}
    if got != want:
        wrong = {k: got[k] for k in want if got[k] != want[k]}
        raise LedgerError(LedgerErrorId.PRAGMAS_NOT_APPLIED, f"pragmas did not take: {wrong}")


def create_ledger_engine(path: Path, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> Engine:
    """An engine on the SQLite file ``path`` (``:memory:`` is refused: it cannot be WAL)."""
    url = "sqlite+pysqlite:///" + (str(path) if str(path) != ":memory:" else ":memory:")
    engine = create_engine(
        url,
        poolclass=QueuePool,
        pool_size=2,
        max_overflow=4,
        connect_args={"timeout": busy_timeout_ms / 1000.0, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        apply_pragmas(dbapi_conn, busy_timeout_ms)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(BEGIN_OPTION, "DEFERRED")
        if mode not in ("DEFERRED", "IMMEDIATE"):
            raise ValueError(f"bad begin mode {mode!r}")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def raw_connection(source: Session | Connection) -> sqlite3.Connection:
    """The ``sqlite3`` connection under a session or connection (same transaction)."""
    conn = source.connection() if isinstance(source, Session) else source
    driver = conn.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    return driver


def sqlite_error_id(exc: BaseException) -> LedgerErrorId | None:
    """The ledger error id for a (wrapped) sqlite3 error, or None if it is not one."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if not isinstance(orig, sqlite3.Error):
        return None
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int) and (code & 0xFF) in _BY_CODE:
        return _BY_CODE[code & 0xFF]
    text = str(orig).lower()
    for needle, error in (("full", LedgerErrorId.DISK_FULL),
                          ("readonly", LedgerErrorId.READ_ONLY),
                          ("read-only", LedgerErrorId.READ_ONLY),
                          ("locked", LedgerErrorId.LOCKED),
                          ("disk i/o", LedgerErrorId.IO_ERROR),
                          ("malformed", LedgerErrorId.CORRUPT),
                          ("not a database", LedgerErrorId.CORRUPT),
                          ("unable to open", LedgerErrorId.CANNOT_OPEN)):
        if needle in text:
            return error
    return None


@contextmanager
def translated_errors() -> Iterator[None]:
    """Turn SQLite failures (full, read-only, locked, I/O...) into :class:`LedgerError`."""
    try:
        yield
    except LedgerError:
        raise
    except (DBAPIError, sqlite3.Error) as exc:
        error = sqlite_error_id(exc)
        if error is None:
            raise
        raise LedgerError(error, str(exc).splitlines()[0][:300]) from exc


def checkpoint(engine: Engine, mode: str) -> int:
    """``PRAGMA wal_checkpoint(mode)`` on a pooled connection; its busy flag (0 or 1)."""
    pooled = engine.raw_connection()
    try:
        driver = pooled.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        return int(driver.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()[0])
    finally:
        pooled.close()


PURGE_ATTEMPTS = 5  # a checkpoint another connection is running answers "busy" at once
PURGE_QUICK_BUSY = 0.25  # seconds: a busy answer slower than this waited out a reader


def purge_wal(engine: Engine, attempts: int = PURGE_ATTEMPTS,
              wait: Callable[[float], None] = time.sleep,
              monotonic: Callable[[], float] = time.monotonic) -> bool:
    """Checkpoint everything and truncate the WAL to zero bytes, so page images of rows
    since changed (a code text the server accepted, an old PIN hash) leave the -wal
    file. ``False`` if it did not complete: then the page images are still in the -wal
    and the main file (the next purge, or SQLite's next WAL restart, overwrites them).

    A reader in the way is waited for up to the busy timeout, holding the write lock;
    if it still holds on, that is the answer (trying again would hold writers off once
    more). A checkpoint another connection is running (another process's background
    checkpointer) answers busy at once: that is tried again, ``attempts`` times in all,
    a little later each time."""
    for attempt in range(attempts):
        started = monotonic()
        with translated_errors():
            busy = checkpoint(engine, "TRUNCATE")
        if not busy:
            return True
        if attempt + 1 == attempts or monotonic() - started > PURGE_QUICK_BUSY:
            return False
        wait(0.01 * (attempt + 1))
    return False


class BackgroundCheckpointer:
    """Moves WAL checkpoints off the commit path.

    A redemption writes ~16 WAL pages; SQLite's automatic checkpoint (every
    1000 pages) would land, with its fsyncs, inside every ~60th ``redeem``.
    This daemon thread runs ``PRAGMA wal_checkpoint(PASSIVE)`` every
    ``interval`` seconds instead (passive: it never blocks a writer or reader).
    The automatic checkpoint stays on as the safety net if this thread
    falls behind. Checkpointing is crash-safe: a kill mid-way loses nothing.
    """

    def __init__(self, engine: Engine, interval: float = 0.25) -> None:
        self.engine = engine
        self.interval = interval
        self.checkpoints = 0
        self.last_error: str | None = None
        self._stop = threading.Event()
        self._running = threading.Lock()  # held while this thread checkpoints
        self._thread = threading.Thread(target=self._run, name="ledger-wal-checkpoint",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def checkpoint_now(self) -> None:
        with self._running:
            checkpoint(self.engine, "PASSIVE")
            self.checkpoints += 1

    @contextmanager
    def paused(self) -> Iterator[None]:
        """No checkpoint of this thread runs inside the block (a purge's TRUNCATE
        checkpoint would find it running and get "busy")."""
        with self._running:
            yield

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.checkpoint_now()
                self.last_error = None
            except Exception as exc:  # a full or read-only disk: the next commit will say so
                self.last_error = f"{type(exc).__name__}: {exc}"
