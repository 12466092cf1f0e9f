"""Schema migrations at start-up: refuse a newer database, back up, then upgrade.

The revision of a file is read through a plain read-only ``sqlite3``
connection first, so a database written by a newer version of the program is
refused without being touched (not even switched to WAL).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from merchant_pos.store.engine import translated_errors
from merchant_pos.store.errors import LedgerError, LedgerErrorId
from merchant_pos.store.paths import BACKUP_DIR

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def known_revisions() -> list[str]:
    """Revisions this program knows, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def head_revision() -> str:
    return known_revisions()[-1]


def read_revision(path: Path) -> str | None:
    """The alembic revision stored in ``path`` (None for a new or empty file)."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    with translated_errors():
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            has_table = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
            ).fetchone()
            if not has_table:
                return None
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            return str(row[0]) if row else None
        finally:
            conn.close()


def check_not_newer(path: Path) -> str | None:
    """The file's revision; raises DATABASE_TOO_NEW for one this program does not know."""
    revision = read_revision(path)
    if revision is not None and revision not in known_revisions():
        raise LedgerError(LedgerErrorId.DATABASE_TOO_NEW,
                          f"{path} is at schema revision {revision!r}; this program knows "
                          f"{known_revisions()}")
    return revision


def backup_before_migration(path: Path, revision: str, now: int | None = None) -> Path:
    """A consistent copy of the database (sqlite backup API, WAL included)."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now if now is not None else time.time()))
    folder = path.parent / BACKUP_DIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{path.stem}-rev{revision}-{stamp}.sqlite3"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{path.stem}-rev{revision}-{stamp}-{n}.sqlite3"
    with translated_errors():
        src = sqlite3.connect(str(path))
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
    return target


def upgrade(engine: Engine, path: Path, target: str = "head") -> Path | None:
    """Bring the database at ``path`` to ``target``; returns the backup taken, if any.

    Runs in one transaction: on any failure the file is left as it was.
    """
    current = check_not_newer(path)
    wanted = head_revision() if target == "head" else target
    if current == wanted:
        return None
    backup = backup_before_migration(path, current) if current is not None else None
    log.info("ledger %s: migrating from %s to %s (backup %s)", path, current or "empty",
             wanted, backup)
    cfg = alembic_config()
    try:
        with translated_errors(), engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, target)
    except LedgerError:
        log.exception("ledger %s: migration to %s failed", path, wanted)
        raise
    except Exception as exc:
        log.exception("ledger %s: migration to %s failed", path, wanted)
        raise LedgerError(LedgerErrorId.MIGRATION_FAILED, f"{type(exc).__name__}: {exc}") from exc
    log.info("ledger %s: migrated to %s", path, wanted)
    return backup
