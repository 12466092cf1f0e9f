"""Opening the server's database: SQLite file by default, PostgreSQL by URL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import (
    Connection,
    Engine,
    Table,
    create_engine,
    event,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from merchant_pos.server.schema import feed_counter

FEED = "feed"
READ_ONLY = "mpos_read_only"
SQLITE_BUSY_TIMEOUT_MS = 30_000


class DatabaseUrlError(ValueError):
    """The database URL names something the server cannot use."""


def default_url() -> str:
    """``$MPOS_SERVER_DB``, else a SQLite file in the user's data directory."""
    env = os.environ.get("MPOS_SERVER_DB")
    if env:
        return env
    folder = Path(platformdirs.user_data_dir("merchant-pos-server", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'server.sqlite3'}"


def normalise_url(url: str) -> str:
    """Accept a bare file path or ``postgresql://`` and name the driver we ship."""
    if "://" not in url:
        return f"sqlite:///{Path(url).resolve()}"
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseUrlError(f"not a database URL: {url!r}") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseUrlError("only sqlite:/// and postgresql:// databases are supported")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _sqlite_pragmas(engine)
        return engine
    # No request may hold a connection forever: a runaway statement is cut at 30 s
    # and a transaction left idle (a crashed worker) releases its locks after 60 s.
    guards = "-c statement_timeout=30000 -c idle_in_transaction_session_timeout=60000"
    parsed = make_url(url)
    given = parsed.query.get("options", "")  # e.g. a search_path the URL sets
    given = " ".join(given) if isinstance(given, tuple) else given
    return create_engine(parsed.difference_update_query(["options"]), pool_size=pool_size,
                         max_overflow=20, pool_pre_ping=True,
                         connect_args={"options": f"{given} {guards}".strip()})


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" below open transactions, so every write
        # transaction takes the write lock up front (no upgrade deadlocks).
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Readers (see ``reader``) take no lock: in WAL mode they never wait for a writer.
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def reader(engine: Engine) -> Engine:
    """The engine for read-only work (on SQLite: a deferred transaction, no write lock)."""
    return engine.execution_options(**{READ_ONLY: True})


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer version of the server."""


MIGRATIONS_DIR = Path(__file__).with_name("migrations")
INITIAL_REVISION = "0001"


def _alembic_config() -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def schema_revision(conn: Connection) -> str | None:
    from alembic.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def create_schema(engine: Engine) -> None:
    """Bring the database to the newest schema (Alembic) and create the feed counter row.

    Idempotent. A database made by ``create_all`` before migrations existed is
    stamped with the initial revision; one from a newer server is refused.
    """
    from alembic import command
    from alembic.script import ScriptDirectory

    cfg = _alembic_config()
    known = {rev.revision for rev in ScriptDirectory.from_config(cfg).walk_revisions()}
    with engine.begin() as conn:
        current = schema_revision(conn)
        if current is not None and current not in known:
            raise SchemaTooNew(f"the database is at schema revision {current!r}, newer than "
                               f"this server ({sorted(known)}); upgrade the server")
        cfg.attributes["connection"] = conn
        if current is None and inspect(conn).has_table("redemptions"):
            command.stamp(cfg, INITIAL_REVISION)
        command.upgrade(cfg, "head")
        if conn.scalar(select(feed_counter.c.value).where(feed_counter.c.name == FEED)) is None:
            ins = (postgresql.insert(feed_counter) if conn.dialect.name == "postgresql"
                   else sqlite.insert(feed_counter))
            # Two processes starting on a fresh database: the second one's insert is a no-op.
            conn.execute(ins.values(name=FEED, value=0).on_conflict_do_nothing())


def take_feed_seqs(conn: Connection, count: int) -> list[int]:
    """``count`` new feed sequence numbers; call last in the transaction (see schema)."""
    if count <= 0:
        return []
    last = conn.scalar(
        update(feed_counter)
        .where(feed_counter.c.name == FEED)
        .values(value=feed_counter.c.value + count)
        .returning(feed_counter.c.value)
    )
    if last is None:
        raise RuntimeError("the database has no feed counter: run `merchant-pos-server init`")
    return list(range(last - count + 1, last + 1))


class BulkInsertConflict(Exception):
    """A bulk insert hit a unique constraint (another process stored the same row first)."""


def bulk_insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows in this transaction: COPY on PostgreSQL, executemany on SQLite.

    Every row has the same keys. A unique violation raises :class:`BulkInsertConflict`
    and leaves the transaction to be rolled back.
    """
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(table.insert(), rows)
        return
    import psycopg

    columns = list(rows[0])
    names = ", ".join(f'"{c}"' for c in columns)
    driver = conn.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    try:
        with driver.cursor() as cur, cur.copy(
                f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
    except psycopg.errors.IntegrityError as exc:
        raise BulkInsertConflict(str(exc)) from exc


@contextmanager
def temporary_schema(pg_url: str, prefix: str = "tmp") -> Iterator[str]:
    """A fresh PostgreSQL schema for a test or a benchmark, dropped afterwards.

    Yields ``pg_url`` with the schema as its search path, so everything the
    server creates lands there and several runs share one database safely.
    """
    schema = f"{prefix}_{uuid.uuid4().hex[:16]}"
    admin_engine = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    try:
        with admin_engine.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in pg_url else "?"
        yield f"{pg_url}{sep}options=-csearch_path%3D{schema}"
        with admin_engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin_engine.dispose()
