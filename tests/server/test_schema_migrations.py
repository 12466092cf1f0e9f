"""The server schema comes from Alembic migrations and matches the tables the code uses."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select, text

from merchant_pos.server.cli import main
from merchant_pos.server.database import (
    INITIAL_REVISION,
    SchemaTooNew,
    _alembic_config,
    create_schema,
    make_engine,
    schema_revision,
    take_feed_seqs,
)
from merchant_pos.server.schema import feed_counter, metadata

HEAD = ScriptDirectory.from_config(_alembic_config()).get_current_head()


def test_migrations_build_exactly_the_schema_and_rerun_harmlessly(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        create_schema(engine)
        with engine.begin() as conn:
            assert take_feed_seqs(conn, 3) == [1, 2, 3]
        create_schema(engine)  # again: nothing changes, the counter is kept
        with engine.connect() as conn:
            assert schema_revision(conn) == HEAD
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
            assert diff == []
            assert conn.scalar(select(feed_counter.c.value)) == 3
    finally:
        engine.dispose()


def test_a_database_from_before_migrations_is_adopted(db_url: str) -> None:
    from alembic import command

    engine = make_engine(db_url)
    try:
        # The tables as the first revision made them, without Alembic's bookkeeping
        # (what create_all made before migrations existed).
        cfg = _alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, INITIAL_REVISION)
            conn.execute(text("DROP TABLE alembic_version"))
        create_schema(engine)
        with engine.connect() as conn:
            assert schema_revision(conn) == HEAD
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
