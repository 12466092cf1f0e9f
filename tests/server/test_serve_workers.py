"""``serve --workers 2``: two worker processes on one database judge together as one
server would: every item stored once, every verdict that of a full re-judge."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from tests.server.test_concurrency import REPO, SERVER_ENV, _free_port
from tests.server.test_history_window import _full_rejudge, _stored
from tests.server.world import World

HOUR = 3600


def _workers(pid: int) -> list[int]:
    """The worker processes uvicorn spawned under ``pid``."""
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            if b"spawn_main" in cmdline:
                out.append(int(child))
    return out


def test_two_workers_share_the_ledger(world: World, tmp_path: Path) -> None:
    counters = [world.pos("canteen-01", f"counter {n}") for n in range(2)]
    codes = [world.code(f"B-WORKERS-{n}", iat=world.clock.now - 3 * 24 * HOUR) for n in range(6)]
    now = world.clock.now
    batches = [[[pos.item(codes[(b * 3 + i) % 6], now - (40 - b * 8 - n) * HOUR,
                          [("meal", 1200, 1)]) for i in range(3)] for b in range(5)]
               for n, pos in enumerate(counters)]
    port, log = _free_port(), tmp_path / "server.log"
    with log.open("wb") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "merchant_pos.server.cli", "--db", world.server.db_url,
             "serve", "--port", str(port), "--workers", "2", "--log-level", "warning"],
            cwd=REPO, env={**os.environ, **SERVER_ENV}, stdout=subprocess.DEVNULL,
            stderr=log_file)
    base = f"http://127.0.0.1:{port}"
    results: list[dict[str, Any]] = []
    errors: list[BaseException] = []
    try:
        deadline = time.monotonic() + 180  # spawned workers import the app: slow on a busy CI
        while len(_workers(proc.pid)) < 2 or not _healthy(base):
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"the two workers did not start: {log.read_text()}"
            time.sleep(0.1)
        barrier = threading.Barrier(2)

        def push(token: str, device_batches: list[list[dict[str, Any]]]) -> None:
            try:
                with httpx.Client(base_url=base, timeout=60,
                                  headers={"Authorization": token}) as client:
                    barrier.wait()
                    for batch in device_batches * 2:  # each sent twice: the retry
                        r = client.post("/v1/redemptions", json={"items": batch})
                        r.raise_for_status()
                        results.extend(r.json()["results"])
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=push, args=(
            pos.client.headers["authorization"], device_batches))
            for pos, device_batches in zip(counters, batches, strict=True)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert len(_workers(proc.pid)) == 2
    finally:
        proc.terminate()
        proc.wait(30)
    assert not errors, errors
    uuids = [i["uuid"] for device in batches for batch in device for i in batch]
    by_uuid: dict[str, list[str]] = {}
    for r in results:
        by_uuid.setdefault(r["uuid"], []).append(r["status"])
    for u in uuids:  # judged once, then answered as the duplicate it is
        assert len(by_uuid[u]) == 2 and by_uuid[u][1] == "duplicate", by_uuid[u]
        assert by_uuid[u][0] in ("accepted", "conflict")
    stored = _stored(world)
    assert sorted(stored) == sorted(uuids)
    assert stored == _full_rejudge(world)
    assert "conflict" in {s[0] for s in stored.values()}  # the two counters did collide


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/v1/health", timeout=1).status_code == 200
    except httpx.TransportError:
        return False
