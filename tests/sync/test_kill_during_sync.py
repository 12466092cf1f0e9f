"""kill -9 of a real POS process during a push and during a pull, then restart:
nothing lost, nothing doubled, cursors consistent with what was applied."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from merchant_pos.sync.http_client import ApiClient
from merchant_pos.sync.server_api import USAGE, ServerApi
from tests.sync.faultproxy import Fault, FaultPlan, FaultProxy
from tests.sync.world import PosDevice, ServerWorld

ROOT = Path(__file__).resolve().parents[2]


def start_child(data_dir: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-m", "tests.sync.pos_child", str(data_dir),
                              *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    return child


def kill_when(child: subprocess.Popen[str], ready: Callable[[], bool],
              timeout: float = 60) -> bool:
    """SIGKILL the child as soon as ``ready()``; False if it finished first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            child.communicate(timeout=10)
            return False
        if ready():
            os.kill(child.pid, signal.SIGKILL)
            child.communicate(timeout=10)  # reaps it and closes the pipes
            return True
        time.sleep(0.005)
    child.kill()
    child.communicate(timeout=10)
    raise AssertionError("the child neither reached the kill point nor finished")


def finish(child: subprocess.Popen[str]) -> dict[str, object]:
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    result: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return result


def switch_to(pos: PosDevice, url: str) -> None:
    token = pos.tokens.load()
    assert token is not None
    pos.tokens.save(type(token)(url, token.device_id, token.secret))


def ledger_value(db: Path, sql: str) -> object:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        row = conn.execute(sql).fetchone()
    return None if row is None else row[0]


@pytest.mark.slow
def test_kill_during_push_then_restart_loses_and_doubles_nothing(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    pos = make_pos("pos")
    pos.enroll(world.url, world.enrollment_code())
    assert pos.engine.sync_now().ok
    codes = [world.beneficiary_code() for _ in range(10)]
    ids = [pos.redeem(codes[i % 10], 100 + i) for i in range(600)]
    db = pos.ledger.path
    # every push answer dribbles out slowly: the server has committed the batch and
    # the POS has not yet recorded the answer, the moment a kill hurts most
    plan = FaultPlan(rate=1.0, faults=[Fault.SLOW_LINK],
                     applies_to=lambda method, path: method == "POST")
    rng = random.Random(5)
    kills = 0
    with FaultProxy(world.server.port, plan, slow_total_seconds=0.3) as proxy:
        switch_to(pos, proxy.url)
        for _ in range(3):
            before = world.row_count()
            target = before + rng.randrange(1, 4) * 25
            child = start_child(pos.data_dir, "--batch", "25")
            assert kill_when(child, lambda t=target: world.row_count() >= t)  # type: ignore[misc]
            kills += 1
            # what the POS recorded as answered is on the server; nothing is half-done
            answered = {r for r, s in pos.outbox().items() if s != "pending"}
            assert answered <= set(world.stored())
            assert ledger_value(db, "PRAGMA integrity_check") == "ok"
        plan.stop()
        result = finish(start_child(pos.data_dir, "--batch", "100"))
    assert result["ok"] is True
    assert isinstance(result["duplicates"], int) and result["duplicates"] > 0  # lost answers
    stored = world.stored()
    assert world.row_count() == len(stored) == len(ids) and set(stored) == set(ids)
    assert set(pos.local_statuses().values()) == {"accepted"}
    assert all(stored[i]["status"] == "accepted" for i in ids)
    assert set(pos.outbox().values()) == {"accepted"}
    assert pos.ledger.verify_audit().ok and kills == 3


@pytest.mark.slow
def test_kill_during_pull_then_restart_keeps_cursor_and_rows_consistent(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    other = make_pos("other")
    other.enroll(world.url, world.enrollment_code("M-B"))
    assert other.engine.sync_now().ok
    codes = [world.beneficiary_code() for _ in range(10)]
    for i in range(400):
        other.redeem(codes[i % 10], 100 + i)
    assert other.engine.sync_now().ok
    pos = make_pos("pos")
    pos.enroll(world.url, world.enrollment_code("M-A"))
    token = pos.tokens.load()
    assert token is not None
    with ApiClient(world.url, token=token.secret) as client:
        everything = ServerApi(client).page(USAGE, None, 1000)
    assert len(everything.items) == 400 and not everything.more
    db = pos.ledger.path
    cursor_sql = "SELECT cursor FROM sync_state WHERE kind = 'usage'"
    plan = FaultPlan(rate=1.0, faults=[Fault.SLOW_LINK],
                     applies_to=lambda method, path: path.startswith("/v1/usage"))
    with FaultProxy(world.server.port, plan, slow_total_seconds=0.02) as proxy:
        switch_to(pos, proxy.url)
        seen: list[str] = []
        for _ in range(3):
            before = ledger_value(db, cursor_sql)
            child = start_child(pos.data_dir, "--page", "7")
            assert kill_when(child, lambda b=before: ledger_value(db, cursor_sql) not in (  # type: ignore[misc]
                b, None))
            cursor = ledger_value(db, cursor_sql)
            assert isinstance(cursor, str)
            seen.append(cursor)
            # the rows applied are exactly the feed up to the stored cursor
            with ApiClient(world.url, token=token.secret) as client:
                rest = ServerApi(client).page(USAGE, cursor, 1000)
            expected = {(i["rid"], i["ent"]) for i in everything.items} - {
                (i["rid"], i["ent"]) for i in rest.items}
            assert local_usage(db) == expected
        result = finish(start_child(pos.data_dir, "--page", "7"))
    assert result["ok"] is True
    assert [int(c) for c in seen] == sorted(int(c) for c in seen) and len(set(seen)) == 3
    assert local_usage(db) == {(i["rid"], i["ent"]) for i in everything.items}
    assert ledger_value(db, cursor_sql) == everything.cursor
    assert ledger_value(db, "SELECT count(*) FROM usage_records") == 400


def local_usage(db: Path) -> set[tuple[str, str]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        return {(r, e) for r, e in conn.execute("SELECT rid, ent FROM usage_records")}
