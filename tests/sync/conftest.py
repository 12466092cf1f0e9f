"""Fixtures: the real reference server on loopback and POS devices on real ledger files."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.sync.world import PosDevice, ServerWorld


@pytest.fixture
def world(tmp_path: Path) -> Iterator[ServerWorld]:
    server = ServerWorld(tmp_path).start()
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
