"""Fixtures of the server tests: every test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``MPOS_TEST_PG_URL`` (``scripts/test`` starts a throwaway
cluster and sets it). Without it the PostgreSQL variants FAIL, they are not
skipped. Each test gets its own SQLite file or its own PostgreSQL schema.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from merchant_pos.server.database import temporary_schema
from tests.server.world import Clock, World, build_world

PG_HELP = ("MPOS_TEST_PG_URL is not set: start PostgreSQL with "
           "`source scripts/bootstrap.sh && mpos_postgres` (./scripts/test does it)")


def pg_base_url() -> str:
    url = os.environ.get("MPOS_TEST_PG_URL")
    if not url:
        pytest.fail(PG_HELP, pytrace=False)
    return url


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """A fresh PostgreSQL schema; the URL sets it as the search path."""
    with temporary_schema(pg_base_url(), "t") as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/server.sqlite3"
    url: str = request.getfixturevalue("pg_schema_url")
    return url


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def world(db_url: str, clock: Clock) -> Iterator[World]:
    """The embedded server on loopback with a key, three programs and four merchants."""
    w = build_world(db_url, clock)
    try:
        yield w
    finally:
        w.close()
