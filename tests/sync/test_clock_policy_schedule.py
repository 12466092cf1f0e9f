"""Corrected clock from the server's time, the offline risk policy from the server's
config, and the scheduler: on demand, one at a time, cancellable without loss."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from merchant_pos.sync.engine import LAST_CONTACT, LAST_SUCCESS, event_sleep
from merchant_pos.sync.report import ConnectionState, SyncReport
from merchant_pos.sync.retry import RetryPolicy
from merchant_pos.sync.scheduler import SyncScheduler
from tests.sync.faultproxy import Fault, FaultPlan, FaultProxy
from tests.sync.world import PosDevice, ServerWorld


@pytest.fixture
def fast_server(tmp_path: Path) -> Iterator[ServerWorld]:
    server = ServerWorld(tmp_path / "ahead", clock_offset=600).start()
    yield server
    server.stop()


def test_server_time_corrects_the_clock_and_warns_over_five_minutes(
    fast_server: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    pos = make_pos()
    pos.enroll(fast_server.url, fast_server.enrollment_code())
    assert pos.engine.sync_now().ok
    assert abs(pos.clock.offset - 600) <= 2
    assert abs(pos.clock.now() - (time.time() + 600)) <= 2
    status = pos.engine.status("en")
    assert status.clock_warning is not None and "10 minutes" in status.clock_warning
    assert "10 分钟" in (pos.engine.status("zh_CN").clock_warning or "")
    rid = pos.redeem(fast_server.beneficiary_code())
    receipt = pos.service.receipt(rid)
    assert receipt is not None and abs(receipt.at - (time.time() + 600)) <= 2
    # the offset survives a restart (stored, then restored into a new clock)
    pos.close()
    again = make_pos(pos.data_dir.name)
    assert abs(again.clock.offset - 600) <= 2


def test_unsynced_cap_refuses_until_the_next_sync(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    pos = make_pos()
    pos.enroll(world.url, world.enrollment_code("M-CAP"))  # cap: 10 yuan unsynced
    assert pos.engine.sync_now().ok
    assert pos.engine.policy().max_unsynced_covered_fen == 1000
    code = world.beneficiary_code()
    assert pos.engine.check_redemption(600) is None
    pos.redeem(code, 600)
    refusal = pos.engine.check_redemption(600)
    assert refusal is not None and refusal.message_id == "unsynced_cap"
    assert "12.00" in refusal.message("en") and "10.00" in refusal.message("zh_CN")
    assert pos.engine.status().redemption_block is None  # nothing new is being asked
    assert pos.engine.sync_now().ok
    assert pos.engine.check_redemption(600) is None


def test_offline_too_long_refuses_with_hours(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    pos = make_pos()
    pos.enroll(world.url, world.enrollment_code("M-A"))
    refusal = pos.engine.check_redemption(100)
    assert refusal is None or refusal.message_id == "never_synced"
    assert pos.engine.sync_now().ok
    assert pos.engine.check_redemption(100) is None
    for key in (LAST_SUCCESS, LAST_CONTACT):
        pos.sync_ledger.set_setting(key, pos.clock.now() - 100 * 3600)
    refusal = pos.engine.check_redemption(100)
    assert refusal is not None and refusal.message_id == "offline_too_long"
    assert "100 小时" in refusal.message("zh_CN") and "72 hours" in refusal.message("en")
    assert pos.engine.status().redemption_block is not None


def test_one_sync_at_a_time(world: ServerWorld, make_pos: Callable[..., PosDevice]) -> None:
    pos = make_pos()
    pos.enroll(world.url, world.enrollment_code())
    assert pos.engine.sync_now().ok
    code = world.beneficiary_code()
    for _ in range(200):
        pos.redeem(code, 100)
    pos.engine.batch_size = 10
    results: list[SyncReport] = []
    threads = [threading.Thread(target=lambda: results.append(pos.engine.sync_now()))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(1 for r in results if r.skipped) >= 1
    assert sum(1 for r in results if r.ok) >= 1
    assert world.row_count() == 200


def test_scheduler_shutdown_cancels_mid_push_and_loses_nothing(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    pos = make_pos(batch_size=20)
    pos.enroll(world.url, world.enrollment_code())
    assert pos.engine.sync_now().ok
    code = world.beneficiary_code()
    ids = [pos.redeem(code, 100) for _ in range(400)]
    plan = FaultPlan(rate=1.0, faults=[Fault.SLOW_LINK],
                     applies_to=lambda method, path: method == "POST")
    reports: list[SyncReport] = []
    with FaultProxy(world.server.port, plan, slow_total_seconds=0.15) as proxy:
        token = pos.tokens.load()
        assert token is not None
        pos.tokens.save(type(token)(proxy.url, token.device_id, token.secret))
        scheduler = SyncScheduler(pos.engine, interval_seconds=3600, on_report=reports.append)
        scheduler.start()
        deadline = time.monotonic() + 60
        while world.row_count() < 60 and time.monotonic() < deadline:
            time.sleep(0.01)
        requests_at_stop = plan.requests
        # Stops at the next safe point: counted in requests, not seconds. At most the
        # batch on the wire and the one the pipeline had just sent still reach the proxy.
        assert scheduler.stop(timeout=120)
        assert plan.requests - requests_at_stop <= 2
    assert len(reports) == 1 and reports[0].cancelled
    assert "nothing is lost" in reports[0].message("en")
    answered = {r for r, s in pos.outbox().items() if s != "pending"}
    assert 60 <= len(answered) < 400 and answered <= set(world.stored())
    pos.tokens.save(token)
    final = pos.engine.sync_now()
    assert final.ok
    assert set(world.stored()) == set(ids) and world.row_count() == 400
    assert set(pos.local_statuses().values()) == {"accepted"}


def test_scheduler_stop_interrupts_a_long_backoff(
    make_pos: Callable[..., PosDevice], world: ServerWorld
) -> None:
    pos = make_pos(retry=RetryPolicy(base_delay=3600, max_delay=3600, random=lambda: 1.0))
    pos.enroll(world.url, world.enrollment_code())
    backoff_started = threading.Event()
    waits: list[tuple[float, bool]] = []

    def noted_sleep(seconds: float, cancel: threading.Event) -> bool:
        backoff_started.set()
        waits.append((seconds, event_sleep(seconds, cancel)))
        return waits[-1][1]
    pos.engine.sleep = noted_sleep
    plan = FaultPlan()
    plan.force(Fault.HTTP_503, times=5)
    with FaultProxy(world.server.port, plan) as proxy:
        token = pos.tokens.load()
        assert token is not None
        pos.tokens.save(type(token)(proxy.url, token.device_id, token.secret))
        scheduler = SyncScheduler(pos.engine, interval_seconds=3600)
        scheduler.start()
        assert backoff_started.wait(60)  # now waiting an hour before the retry
        # An hour's backoff, interrupted: stop() returns long before it would end.
        assert scheduler.stop(timeout=120)
    assert waits == [(3600, False)]  # the one wait was cut short, not served
    assert scheduler.last_report is not None and scheduler.last_report.cancelled
    assert pos.engine.status().state is ConnectionState.IDLE


def test_stale_keys_and_revocations_show_in_the_status(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    pos = make_pos()
    pos.enroll(world.url, world.enrollment_code("M-A"))
    assert pos.engine.sync_now().ok
    assert pos.engine.status().stale_findings == []
    old = pos.clock.now() - 80 * 3600
    for kind in ("trust", "revocations"):
        pos.sync_ledger.state.mark_fresh(kind, old)
    stale = pos.engine.status("en").stale_findings
    assert [f.message_id for f in stale] == ["stale_trust_list", "stale_revocations"]
    assert "80 hours" in stale[0].message("en") and "72" in stale[0].message("zh_CN")
