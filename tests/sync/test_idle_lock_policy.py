"""Issue 13: the server's ``idle_lock_minutes`` reaches the counter's lock end to end:
server configuration -> /v1/config (as the OpenAPI document says) -> sync -> ledger."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from merchant_pos.resources import resource
from merchant_pos.server.app import IDLE_LOCK_ENV
from merchant_pos.store.staff import idle_lock_seconds
from tests.sync.world import PosDevice, ServerWorld


@pytest.fixture
def strict_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerWorld]:
    monkeypatch.setenv(IDLE_LOCK_ENV, "7")  # as `merchant-pos-server serve --idle-lock-minutes 7`
    server = ServerWorld(tmp_path / "server").start()
    yield server
    server.stop()


def test_the_servers_idle_lock_reaches_the_counter(strict_world: ServerWorld,
                                                    make_pos: Callable[..., PosDevice]) -> None:
    pos = make_pos()
    assert idle_lock_seconds(pos.ledger) == 15 * 60  # never synced: the default
    pos.enroll(strict_world.url, strict_world.enrollment_code())
    pos.engine.sync_now()
    assert idle_lock_seconds(pos.ledger) == 7 * 60
    spec = json.loads(Path(resource("openapi.json")).read_text(encoding="utf-8"))
    policies = [s for s in spec["components"]["schemas"].values()
                if "idle_lock_minutes" in s.get("properties", {})]
    assert policies and all("idle_lock_minutes" in s["required"] for s in policies)


def test_a_bad_synced_value_keeps_the_default(make_pos: Callable[..., PosDevice]) -> None:
    pos = make_pos()
    for bad in (0, 1441, "7", True, None):
        pos.sync_ledger.set_setting("sync.policies", {"idle_lock_minutes": bad})
        assert idle_lock_seconds(pos.ledger) == 15 * 60
