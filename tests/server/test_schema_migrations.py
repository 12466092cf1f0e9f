"""The server schema comes from Alembic migrations and matches the tables the code uses."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text

from merchant_pos.server.cli import main
from merchant_pos.server.database import (
    SchemaTooNew,
    create_schema,
    make_engine,
    schema_revision,
    take_feed_seqs,
)
from merchant_pos.server.schema import feed_counter, metadata


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    from merchant_pos.server.database import _alembic_config

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def test_migrations_build_exactly_the_schema_and_rerun_harmlessly(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        create_schema(engine)
        with engine.begin() as conn:
            assert take_feed_seqs(conn, 3) == [1, 2, 3]
        create_schema(engine)  # again: nothing changes, the counter is kept
        with engine.connect() as conn:
            assert schema_revision(conn) == head_revision()
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
            assert diff == []
            assert conn.scalar(select(feed_counter.c.value)) == 3
    finally:
        engine.dispose()


def test_a_database_from_before_migrations_is_adopted(db_url: str) -> None:
    """A database that ``create_all`` made before migrations existed (the 0001 tables, no
    alembic_version) is stamped 0001 and brought up to the head."""
    from alembic import command

    from merchant_pos.server.database import INITIAL_REVISION, _alembic_config

    engine = make_engine(db_url)
    try:
        cfg = _alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, INITIAL_REVISION)
            conn.execute(text("DROP TABLE alembic_version"))
        create_schema(engine)
        with engine.connect() as conn:
            assert schema_revision(conn) == head_revision()
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    finally:
        engine.dispose()


def test_a_newer_database_is_refused(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    engine = make_engine(db_url)
    try:
        create_schema(engine)
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        with pytest.raises(SchemaTooNew):
            create_schema(engine)
    finally:
        engine.dispose()
    assert main(["--db", db_url, "init"]) == 2
    assert "newer than this server" in capsys.readouterr().err
