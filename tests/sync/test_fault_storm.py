"""A few thousand redemptions pushed through the fault proxy with a third of the calls
faulted: when the faults stop, the server holds exactly the client's redemptions and
voids, each once, same UUIDs, and every local status matches the server's."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable

import pytest

from merchant_pos.sync.retry import RetryPolicy
from tests.sync.faultproxy import ALL_FAULTS, Fault, FaultPlan, FaultProxy
from tests.sync.world import PosDevice, ServerWorld

REDEMPTIONS = 3000
ROUNDS = 3
VOIDS_PER_ROUND = 10
RETRY_AFTER = 1


@pytest.mark.slow
def test_thousands_of_redemptions_through_a_third_of_calls_faulted(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    plan = FaultPlan(rate=1 / 3, faults=ALL_FAULTS, seed=20261129, max_faults=2000,
                     active_for=240)
    requested_sleeps: list[float] = []

    def scaled_sleep(seconds: float, cancel: threading.Event) -> bool:
        requested_sleeps.append(seconds)  # what the policy asked for, Retry-After included
        return not cancel.wait(min(seconds, 0.01))

    with FaultProxy(world.server.port, plan, hold_seconds=2.0, retry_after=RETRY_AFTER,
                    refuse_window=0.2, slow_total_seconds=0.3) as proxy:
        pos = make_pos("pos", batch_size=25, read_timeout=1.0,
                       retry=RetryPolicy(base_delay=0.05, max_delay=0.5, max_attempts=None))
        pos.engine.sleep = scaled_sleep
        pos.enroll(world.url, world.enrollment_code())
        # From here on every call goes through the proxy.
        token = pos.tokens.load()
        assert token is not None
        pos.tokens.save(type(token)(proxy.url, token.device_id, token.secret))
        assert pos.engine.sync_now().ok

        codes = [world.beneficiary_code() for _ in range(40)]
        rng = random.Random(7)
        redeemed: list[str] = []
        voided: dict[str, str] = {}
        totals = Counter[str]()
        for round_no in range(ROUNDS):
            for i in range(REDEMPTIONS // ROUNDS):
                redeemed.append(pos.redeem(codes[i % len(codes)], 100 + rng.randrange(900)))
            for rid in rng.sample([r for r in redeemed if r not in voided], VOIDS_PER_ROUND):
                void_id = str(uuid.uuid4())
                pos.service.void(rid, void_id=void_id, supervisor_name="店长",
                                 supervisor_pin="2468", reason=f"退货 {round_no}")
                voided[rid] = void_id
            report = pos.engine.sync_now()
            assert report.ok, report.message("en")
            totals.update(pushed=report.pushed, duplicates=report.duplicates,
                          retries=report.retries, errors=report.errors)
        faulted, calls = plan.total_injected, plan.requests
        plan.stop()  # the faults stop; one more sync must find nothing left to do
        final = pos.engine.sync_now()
        assert final.ok and final.pushed == 0

    # every fault kind happened, and about a third of the calls were faulted
    assert set(plan.injected) == set(Fault), plan.injected
    assert 0.25 < faulted / calls < 0.42, (faulted, calls)
    # the server holds exactly our redemptions and voids, once each, same UUIDs
    stored = world.stored()
    assert world.row_count() == len(stored) == REDEMPTIONS + len(voided)
    assert set(stored) == set(redeemed) | set(voided.values())
    assert all(s["device_id"] == token.device_id for s in stored.values())
    # every local status matches the server's
    local = pos.local_statuses()
    for rid in redeemed:
        if rid in voided:
            assert local[rid] == "voided" and stored[rid]["voided_by"] == voided[rid]
        else:
            assert local[rid] == stored[rid]["status"] == "accepted", rid
    assert set(pos.outbox().values()) == {"accepted"}
    # every retry carried the same content (else the server answers uuid_reused)
    assert totals["errors"] == 0
    assert pos.ledger.verify_audit().ok
    # lost answers were really lost after the commit, and resent as duplicates
    assert totals["duplicates"] > 0 and totals["pushed"] >= REDEMPTIONS + len(voided)
    # Retry-After was honoured: one wait of at least RETRY_AFTER per 429 served
    assert sum(1 for s in requested_sleeps if s >= RETRY_AFTER) >= plan.injected[
        Fault.RATE_LIMITED_429]
    print(f"\nfault storm: {REDEMPTIONS} redemptions + {len(voided)} voids, {calls} calls, "
          f"{faulted} faulted ({faulted / calls:.0%}): "
          + ", ".join(f"{f.value}={plan.injected[f]}" for f in Fault)
          + f"; retries={totals['retries']} duplicates={totals['duplicates']} "
          f"forwarded={proxy.forwarded} at {time.strftime('%H:%M:%S')}")
