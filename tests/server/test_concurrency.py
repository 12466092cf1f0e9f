"""Idempotency under real concurrency: two threads, two processes, two server instances
pushing the same UUIDs at the same time → each stored once."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from merchant_pos.server.embedded import EmbeddedServer
from merchant_pos.server.schema import draws, redemptions, usage_events
from tests.server.world import Pos, World

REPO = Path(__file__).resolve().parents[2]


def _batches(world: World, pos: Pos, count: int, size: int) -> list[list[dict[str, Any]]]:
    now = world.clock.now
    out = []
    for b in range(count):
        out.append([pos.item(world.code(f"B-MEAL-{b:02d}{i:03d}"), now - 100,
                             [("meal", 1000, 1)]) for i in range(size)])
    return out


def _assert_each_once(world: World, uuids: list[str], results: list[dict[str, Any]]) -> None:
    with world.engine.connect() as conn:
        stored = list(conn.scalars(select(redemptions.c.uuid)))
        n_draws = conn.scalar(select(func.count()).select_from(draws))
        n_usage = conn.scalar(select(func.count()).select_from(usage_events))
    assert sorted(stored) == sorted(uuids)
    assert n_draws == n_usage == len(uuids)
    by_uuid: dict[str, list[str]] = {}
    for r in results:
        by_uuid.setdefault(r["uuid"], []).append(r["status"])
    for u in uuids if results else ():
        assert sorted(by_uuid[u]) == ["accepted", "duplicate"], (u, by_uuid[u])


def test_two_threads_push_the_same_uuids(world: World) -> None:
    pos = world.pos("canteen-01")
    batches = _batches(world, pos, 8, 10)
    token = pos.client.headers["authorization"]
    barrier = threading.Barrier(2)
    results: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with httpx.Client(base_url=world.base_url, headers={"Authorization": token},
                              timeout=60) as client:
                for batch in batches:
                    barrier.wait(timeout=30)
                    r = client.post("/v1/redemptions", json={"items": batch})
                    assert r.status_code == 200, r.text
                    results.extend(r.json()["results"])
        except BaseException as exc:  # reported below
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    _assert_each_once(world, [i["uuid"] for b in batches for i in b], results)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_two_processes_through_two_server_instances(world: World, tmp_path: Path) -> None:
    """One client process talks to the embedded server, the other to a second server
    process on the same database: only the database's constraints can keep them apart."""
    pos = world.pos("canteen-01")
    batches = _batches(world, pos, 6, 15)
    path = tmp_path / "batches.json"
    path.write_text(json.dumps(batches))
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    log = tmp_path / "server2.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-m", "merchant_pos.server.cli", "--db", world.server.db_url,
             "serve", "--port", str(port), "--log-level", "warning"],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=log_file)
    try:
        second = f"http://127.0.0.1:{port}"
        _wait_ready(second, server, log)
        token = pos.client.headers["authorization"].removeprefix("Bearer ")
        start_at = time.time() + 1.5
        clients = [subprocess.Popen(
            [sys.executable, "-m", "tests.server.push_client", url, token, str(path),
             str(start_at)], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True) for url in (world.base_url, second)]
        results: list[dict[str, Any]] = []
        for c in clients:
            out, err = c.communicate(timeout=120)
            assert c.returncode == 0, err
            for line in out.splitlines():
                results.extend(json.loads(line))
    finally:
        server.terminate()
        server.wait(30)
    _assert_each_once(world, [i["uuid"] for b in batches for i in b], results)


def _start_server_process(db_url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with log.open("ab") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "merchant_pos.server.cli", "--db", db_url, "serve",
             "--port", str(port), "--log-level", "warning"],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=log_file)
    _wait_ready(f"http://127.0.0.1:{port}", proc, log)
    return proc


def test_server_killed_mid_push_loses_and_doubles_nothing(world: World, tmp_path: Path) -> None:
    """kill -9 of a server process while it ingests a big batch: the batch is all or
    nothing, and the POS's retry through a fresh process stores each item once."""
    pos = world.pos("canteen-01")
    (batch,) = _batches(world, pos, 1, 500)
    body = json.dumps({"items": batch}).encode()
    token = pos.client.headers["authorization"]
    port, log = _free_port(), tmp_path / "server.log"
    proc = _start_server_process(world.server.db_url, port, log)
    url = f"http://127.0.0.1:{port}/v1/redemptions"
    outcome: list[object] = []

    def push() -> None:
        try:
            outcome.append(httpx.post(url, content=body, timeout=30, headers={
                "Authorization": token, "Content-Type": "application/json"}))
        except httpx.TransportError as exc:
            outcome.append(exc)

    pusher = threading.Thread(target=push)
    pusher.start()
    time.sleep(0.08)  # the server is busy verifying or writing the batch
    proc.kill()
    proc.wait(30)
    pusher.join(60)
    with world.engine.connect() as conn:
        after_kill = conn.scalar(select(func.count()).select_from(redemptions))
    assert after_kill in (0, len(batch))
    proc = _start_server_process(world.server.db_url, port, log)
    try:
        r = httpx.post(url, content=body, timeout=60,
                       headers={"Authorization": token, "Content-Type": "application/json"})
    finally:
        proc.terminate()
        proc.wait(30)
    assert r.status_code == 200
    statuses = {x["status"] for x in r.json()["results"]}
    assert statuses == ({"duplicate"} if after_kill else {"accepted"})
    assert {x["outcome"] for x in r.json()["results"]} == {"accepted"}
    _assert_each_once(world, [i["uuid"] for i in batch], [])


def _wait_ready(base_url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server process died: {log.read_text()}")
        try:
            if httpx.get(f"{base_url}/v1/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError("second server did not start")


def test_embedded_server_starts_stops_and_frees_its_port(tmp_path: Path) -> None:
    server = EmbeddedServer(f"sqlite:///{tmp_path}/e.sqlite3")
    base_url = server.start()
    assert httpx.get(f"{base_url}/v1/health").json()["status"] == "ok"
    port = server.port
    server.stop()
    try:
        httpx.get(f"{base_url}/v1/health", timeout=1)
    except httpx.TransportError:
        pass
    else:
        raise AssertionError("still answering after stop()")
    again = EmbeddedServer(f"sqlite:///{tmp_path}/e.sqlite3", port=port)
    with again as url:
        assert url == base_url
        assert httpx.get(f"{url}/v1/health").status_code == 200


def test_simultaneous_over_spend_through_two_server_instances(world: World) -> None:
    """Two canteens push meals of the same beneficiaries at the same moment through two
    server instances (two connection pools): per beneficiary and day exactly one is
    accepted and the later one is the conflict, as if they had come one by one."""
    a, b = world.pos("canteen-01"), world.pos("canteen-02")
    now = world.clock.now
    codes = [world.code(f"B-MEAL-7{i:02d}") for i in range(40)]
    # The first meal also takes the week's fruit allowance, which could pay a meal too.
    mine = [a.item(c, now - 600, [("meal", 3000, 1)]) for c in codes]
    theirs = [b.item(c, now - 300, [("meal", 1000, 1)]) for c in codes]
    second = EmbeddedServer(world.server.db_url, clock=world.clock, init_schema=False)
    second_url = second.start()
    barrier = threading.Barrier(2)
    results: dict[str, list[dict[str, Any]]] = {}
    errors: list[BaseException] = []

    def run(name: str, url: str, token: str, items: list[dict[str, Any]]) -> None:
        try:
            with httpx.Client(base_url=url, headers={"Authorization": token}, timeout=60) as c:
                got = []
                for i in range(0, len(items), 5):
                    barrier.wait(timeout=30)
                    r = c.post("/v1/redemptions", json={"items": items[i:i + 5]})
                    assert r.status_code == 200, r.text
                    got += r.json()["results"]
                results[name] = got
        except BaseException as exc:  # reported below
            errors.append(exc)
            barrier.abort()

    try:
        threads = [
            threading.Thread(target=run, args=("a", world.base_url,
                                                a.client.headers["authorization"], mine)),
            threading.Thread(target=run, args=("b", second_url,
                                                b.client.headers["authorization"], theirs)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    finally:
        second.stop()
    assert not errors, errors
    # Whatever each push answered at the time, the recorded verdicts are the sequential ones.
    final = {i["uuid"]: a.client.get(f"/v1/redemptions/{i['uuid']}").json()["status"]
             for i in mine}
    final |= {i["uuid"]: b.client.get(f"/v1/redemptions/{i['uuid']}").json()["status"]
              for i in theirs}
    assert [final[i["uuid"]] for i in mine] == ["accepted"] * len(codes)
    assert [final[i["uuid"]] for i in theirs] == ["conflict"] * len(codes)
    # b heard at push time or later, through its changes feed: every one is a conflict.
    told = {r["uuid"]: r["status"] for r in results["b"]}
    changes, _ = b.pages("/v1/redemptions/changes")
    told |= {c["uuid"]: c["status"] for c in changes}
    assert set(told.values()) == {"conflict"}


def test_reads_do_not_wait_for_a_long_write(world: World) -> None:
    """While a write transaction holds the database (SQLite's write lock, or a row lock
    on PostgreSQL), config and delta reads still answer at once."""
    from sqlalchemy import update

    from merchant_pos.server.schema import merchants

    pos = world.pos("canteen-01")
    with world.engine.begin() as conn:
        conn.execute(update(merchants).where(merchants.c.id == "canteen-01")
                     .values(max_offline_hours=48))
        started = time.monotonic()
        for path in ("/v1/config", "/v1/usage", "/v1/trust-list", "/v1/revocations"):
            r = pos.client.get(path, timeout=5)
            assert r.status_code == 200, (path, r.text)
        assert r.json()["items"] == []
        assert time.monotonic() - started < 5
    assert pos.client.get("/v1/config").json()["policies"]["max_offline_hours"] == 48
