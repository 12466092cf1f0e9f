"""Fixtures: the real reference server on loopback, on SQLite and on PostgreSQL (the server
tests' ``db_url``), and POS devices on real ledger files (the sync tests' ``make_pos``)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from merchant_pos.server.embedded import EmbeddedServer
from tests.server.conftest import db_url, pg_schema_url  # noqa: F401
from tests.sync.conftest import make_pos  # noqa: F401
from tests.sync.world import ServerWorld


class DbServerWorld(ServerWorld):
    def __init__(self, directory: Path, db_url: str) -> None:  # noqa: F811
        super().__init__(directory)
        self.db_url = db_url
        self.server = EmbeddedServer(db_url, clock=time.time)


@pytest.fixture
def world(tmp_path: Path, db_url: str) -> Iterator[ServerWorld]:  # noqa: F811
    server = DbServerWorld(tmp_path / "server", db_url).start()
    yield server
    server.stop()
