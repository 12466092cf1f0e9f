"""Fixtures: the real reference server on loopback, on SQLite and on PostgreSQL (like
tests/server), and POS devices on real ledger files (tests/sync's)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from merchant_pos.server.embedded import EmbeddedServer
from tests.server.conftest import pg_schema_url  # noqa: F401
from tests.sync.world import PosDevice, ServerWorld


class DbServerWorld(ServerWorld):
    def __init__(self, directory: Path, db_url: str) -> None:
        super().__init__(directory)
        self.db_url = db_url
        self.server = EmbeddedServer(db_url, clock=time.time)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/server.sqlite3"
    url: str = request.getfixturevalue("pg_schema_url")
    return url


@pytest.fixture
def world(tmp_path: Path, db_url: str) -> Iterator[ServerWorld]:
    server = DbServerWorld(tmp_path / "server", db_url).start()
    yield server
    server.stop()


@pytest.fixture
def make_pos(tmp_path: Path) -> Iterator[Callable[..., PosDevice]]:
    devices: list[PosDevice] = []

    def make(name: str = "pos", **kwargs: object) -> PosDevice:
        device = PosDevice(tmp_path / name, **kwargs)  # type: ignore[arg-type]
        devices.append(device)
        return device

    yield make
    for device in devices:
        device.close()
