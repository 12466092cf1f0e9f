"""End to end: whatever order and batching two offline devices sync in, with voids,
the recorded verdicts are those of replaying the redemptions in time order."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from merchant_pos.domain.claims import Period, zone
from merchant_pos.domain.periods import period_key
from merchant_pos.server.demo_seed import CLINIC
from tests.server.world import World
from tests.support.codes import DAY

EVENT = st.tuples(st.integers(0, 1), st.integers(0, 2), st.integers(-72, 0), st.booleans())


def test_verdicts_do_not_depend_on_sync_order(world: World) -> None:
    @settings(max_examples=12, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(events=st.lists(EVENT, min_size=1, max_size=14),
           schedule=st.lists(st.tuples(st.integers(0, 1), st.integers(1, 6)), max_size=30))
    def check(events: list[Any], schedule: list[tuple[int, int]]) -> None:
        sync_in_some_order(world, events, schedule)

    check()


def sync_in_some_order(world: World, events: list[Any], schedule: list[tuple[int, int]]) -> None:
    devices = [world.pos("clinic-01", "desk 1"), world.pos("clinic-01", "desk 2")]
    run = uuid.uuid4().hex[:6]
    now = world.clock.now
    codes = [world.code(f"B-{run}-{i}", CLINIC, iat=now - 5 * DAY) for i in range(3)]
    made: list[tuple[int, int, dict[str, Any], bool]] = []
    for dev, sub, hours, void in events:
        at = now + hours * 3600 - dev * 7
        made.append((dev, sub, devices[dev].item(codes[sub], at, [("checkup", 3000, 1)]), void))
    # Each device syncs its own outbox in order, its voids last, in random batches;
    # the two devices' pushes interleave at random.
    queues: list[list[dict[str, Any]]] = [[], []]
    for dev, _, item, _ in made:
        queues[dev].append(item)
    for dev, _, item, void in made:
        if void:
            queues[dev].append(devices[dev].void(item["uuid"], now + 60))
    steps = iter(schedule)
    while queues[0] or queues[1]:
        dev, size = next(steps, (0, 100))
        if not queues[dev]:
            dev = 1 - dev
        batch, queues[dev] = queues[dev][:size], queues[dev][size:]
        assert all(r["status"] in ("accepted", "conflict") for r in devices[dev].push(*batch))
    # The oracle: per beneficiary and local year, the first two check-ups (by time, then
    # UUID) of the redemptions still standing are accepted, the others are conflicts.
    standing = sorted(((item["at"], item["uuid"], sub) for _, sub, item, void in made
                       if not void))
    seen: Counter[tuple[int, tuple[int, ...]]] = Counter()
    expected = {}
    for at, rid, sub in standing:
        year = (sub, period_key(Period.YEAR, at, zone("Asia/Shanghai")))
        expected[rid] = "conflict" if seen[year] >= 2 else "accepted"
        seen[year] += 1
    maker = {item["uuid"]: devices[dev] for dev, _, item, _ in made}
    got = {rid: maker[rid].client.get(f"/v1/redemptions/{rid}").json()["status"]
           for rid in expected}
    assert got == expected
