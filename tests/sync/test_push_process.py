"""A large backlog pushed from a child process: same answers, exactly once, and the
in-process push takes over whatever the child did not finish."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

import pytest

from merchant_pos.sync import push_process
from merchant_pos.sync.engine import SyncEngine
from tests.sync.test_engine_live import enrolled
from tests.sync.world import PosDevice, ServerWorld


def _child_engine(pos: PosDevice) -> SyncEngine:
    engine = pos.engine
    engine.push_process = True
    engine.child_min_pending = 1  # the real threshold is a thousand entries
    return engine


def test_a_child_process_pushes_the_backlog_exactly_once(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    pos = enrolled(world, make_pos, batch_size=7)
    engine = _child_engine(pos)
    code = world.beneficiary_code()
    ids = [pos.redeem(code, 100 + i) for i in range(30)]
    steps: list[int] = []
    engine.on_progress = lambda step, n: steps.append(n) if step == "push" else None
    report = engine.sync_now()
    assert report.ok, report.message("en")
    assert engine.child_pushes == 1
    assert report.pushed == 30 and report.accepted == 30 and report.left_pending == 0
    assert steps[-1] == 30 and len(steps) >= 30 // 7  # the child's progress, batch by batch
    stored = world.stored()
    assert set(stored) == set(ids) and world.row_count() == 30
    assert set(pos.local_statuses().values()) == {"accepted"}
    assert engine.clock.last_reading is not None  # the child's clock reading came back
    again = engine.sync_now()
    assert again.ok and again.pushed == 0 and world.row_count() == 30


def test_a_small_backlog_stays_in_process(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    pos = enrolled(world, make_pos)
    engine = _child_engine(pos)
    engine.child_min_pending = 50
    pos.redeem(world.beneficiary_code(), 100)
    report = engine.sync_now()
    assert report.ok and report.pushed == 1 and engine.child_pushes == 0


@pytest.mark.parametrize("child", [
    [sys.executable, "-c", "import sys; sys.exit(3)"],  # dies before answering
    [sys.executable, "-c", "print('not json')"],  # answers nonsense
])
def test_when_the_child_fails_the_parent_pushes_the_rest(
    world: ServerWorld, make_pos: Callable[..., PosDevice], child: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pos = enrolled(world, make_pos)
    engine = _child_engine(pos)
    monkeypatch.setattr(push_process, "CHILD_COMMAND", child)
    ids = [pos.redeem(world.beneficiary_code(), 100) for _ in range(5)]
    report = engine.sync_now()
    assert report.ok and report.pushed == 5 and engine.child_pushes == 0
    assert set(world.stored()) == set(ids)


def test_cancelling_stops_the_child_and_nothing_is_lost(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    pos = enrolled(world, make_pos, batch_size=2)
    engine = _child_engine(pos)
    code = world.beneficiary_code()
    ids = [pos.redeem(code, 100) for _ in range(40)]
    cancel = threading.Event()
    engine.on_progress = lambda step, n: cancel.set() if step == "push" and n >= 4 else None
    report = engine.sync_now(cancel)
    assert report.cancelled and not report.ok
    assert 4 <= report.pushed < 40
    done = engine.sync_now()  # the next sync sends the rest, nothing twice
    assert done.ok and report.pushed + done.pushed == 40
    assert set(world.stored()) == set(ids) and world.row_count() == 40
