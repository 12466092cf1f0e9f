"""Fair judging of single-use vouchers: two offline counters spend a mother's four
50-yuan vouchers; whatever order they sync in, the server re-quotes her redemptions
in time order and flags only a real over-spend, always on the latest redemption."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select

from merchant_pos.domain.quote import UsageRecord
from merchant_pos.server.demo_seed import BABY
from merchant_pos.server.schema import redemptions
from tests.server.world import Pos, World

VOUCHER = 5000
HOUR = 3600


@dataclass
class Counter:
    """An offline counter: it knows only its own redemptions of the code."""

    pos: Pos
    made: list[dict[str, Any]] = field(default_factory=list)

    def redeem(self, code: str, at: int, vouchers: int) -> dict[str, Any]:
        own = [UsageRecord(ent, fen, 0, m["at"], m["uuid"]) for m in self.made
               for line in m["lines"] for ent, fen in line["draws"].items()]
        item = self.pos.item(code, at, [("formula", VOUCHER * vouchers, 1)], own)
        assert item["covered"] == VOUCHER * vouchers  # offline, it covers them all
        self.made.append(item)
        return item


# (device, hours before now, vouchers) per redemption; the expected conflict (an index
# into the list, the latest by time) and what the server's quote still covers for it.
SCENARIOS = {
    "1+1": ([(0, 5, 1), (1, 4, 1)], None, None),
    "2+2": ([(0, 5, 2), (1, 4, 1), (1, 2, 1)], None, None),
    "3+2": ([(0, 5, 1), (1, 4, 2), (0, 1, 2)], 2, VOUCHER),
    "3+2, the later counter": ([(0, 5, 3), (1, 3, 1), (1, 2, 1)], 2, 0),
}


def sync_orders(queues: list[list[dict[str, Any]]]) -> Iterator[list[list[dict[str, Any]]]]:
    """Every interleaving of the two outboxes one item a push, and each outbox whole
    in one push, either counter first. Each counter pushes its own outbox in order."""
    n0, n1 = len(queues[0]), len(queues[1])
    for slots in itertools.combinations(range(n0 + n1), n0):
        q = [iter(queues[0]), iter(queues[1])]
        yield [[next(q[0 if i in slots else 1])] for i in range(n0 + n1)]
    yield [queues[0], queues[1]]
    yield [queues[1], queues[0]]


def quote_covered(world: World, rid: str) -> int | None:
    with world.engine.connect() as conn:
        value: int | None = conn.scalar(select(redemptions.c.quote_covered)
                                        .where(redemptions.c.uuid == rid))
    return value


def status(pos: Pos, rid: str) -> dict[str, Any]:
    body: dict[str, Any] = pos.client.get(f"/v1/redemptions/{rid}").json()
    return body


def allocation(pos: Pos, cursor: str | None = None) -> tuple[dict[str, dict[str, int]], str]:
    """The server's allocation per redemption, from the usage feed applied in order."""
    items, cursor = pos.pages("/v1/usage", after=cursor)
    out: dict[str, dict[str, int]] = {}
    for u in items:
        if u["voided"]:
            out.pop(u["rid"], None)
        else:
            out.setdefault(u["rid"], {})[u["ent"]] = u["amount"]
    return out, cursor or "0"


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_four_vouchers_at_two_counters_in_every_sync_order(world: World, name: str) -> None:
    plan, conflict_at, still_covered = SCENARIOS[name]
    counters = [Counter(world.pos("baby-shop-01", "counter 1")),
                Counter(world.pos("baby-shop-01", "counter 2"))]
    now = world.clock.now
    orders = 0
    for n in itertools.count():
        code = world.code(f"B-FAIR-{uuid.uuid4().hex[:8]}", BABY)
        for c in counters:
            c.made = []
        made = [(dev, counters[dev].redeem(code, now - hours * HOUR, k))
                for dev, hours, k in plan]
        queues: list[list[dict[str, Any]]] = [[m for d, m in made if d == dev] for dev in (0, 1)]
        order = list(sync_orders(queues))
        if n >= len(order):
            break
        orders += 1
        owner = {m["uuid"]: dev for dev, m in made}
        told: dict[str, str] = {}
        for push in order[n]:
            for r in counters[owner[push[0]["uuid"]]].pos.push(*push):
                assert r["status"] in ("accepted", "conflict"), r
                told[r["uuid"]] = r["status"]
        expected = ["conflict" if i == conflict_at else "accepted" for i in range(len(made))]
        got = [status(counters[dev].pos, m["uuid"])["status"] for dev, m in made]
        assert got == expected, (name, n)
        for i, (_, m) in enumerate(made):
            qc = quote_covered(world, m["uuid"])
            assert qc == (still_covered if i == conflict_at else m["covered"]), (name, n, i)
        # Each counter learns the final verdict: at push, or later through its changes.
        for dev in (0, 1):
            changes, _ = counters[dev].pos.pages("/v1/redemptions/changes")
            for ch in changes:
                told[ch["uuid"]] = ch["status"]
        assert [told[m["uuid"]] for _, m in made] == expected
        # The server's allocation opens each voucher once, and never more than she had.
        alloc, _ = allocation(counters[0].pos)
        ours = [alloc.get(m["uuid"], {}) for _, m in made]
        opened = [ent for a in ours for ent in a]
        assert len(opened) == len(set(opened)) <= 4
        for i, (_, m) in enumerate(made):
            assert sum(ours[i].values()) == (still_covered if i == conflict_at else m["covered"])
    assert orders >= 3


def test_a_void_flips_the_verdict_and_quote_covered_back(world: World) -> None:
    one, two = (Counter(world.pos("baby-shop-01", f"counter {i}")) for i in (1, 2))
    now = world.clock.now
    code = world.code("B-FAIR-VOID", BABY)
    a1 = one.redeem(code, now - 5 * HOUR, 1)
    b1 = two.redeem(code, now - 4 * HOUR, 2)
    a2 = one.redeem(code, now - 1 * HOUR, 2)  # the fifth voucher: a conflict
    one.pos.push(a1, a2)
    two.pos.push(b1)
    assert status(one.pos, a2["uuid"])["status"] == "conflict"
    assert quote_covered(world, a2["uuid"]) == VOUCHER
    _, cursor = one.pos.pages("/v1/redemptions/changes")

    # Counter 2 voids its redemption: she had enough after all.
    (void,) = two.pos.push(two.pos.void(b1["uuid"], now))
    assert void["status"] == "accepted"
    assert status(one.pos, a2["uuid"])["status"] == "accepted"
    assert quote_covered(world, a2["uuid"]) == 2 * VOUCHER
    changes, cursor = one.pos.pages("/v1/redemptions/changes", after=cursor)
    assert [(c["uuid"], c["status"], c["conflict"]) for c in changes] == [
        (a2["uuid"], "accepted", None)]
    alloc, _ = allocation(one.pos)
    assert alloc == {a1["uuid"]: {"v1": VOUCHER}, a2["uuid"]: {"v2": VOUCHER, "v3": VOUCHER}}
    # The voided one keeps the verdict it had and its quote_covered.
    b1_now = status(two.pos, b1["uuid"])
    assert (b1_now["status"], b1_now["voided"]) == ("accepted", True)
    assert quote_covered(world, b1["uuid"]) == 2 * VOUCHER


def test_a_voided_conflict_keeps_its_verdict_and_the_maker_hears_of_voids(world: World) -> None:
    one, two = (Counter(world.pos("baby-shop-01", f"counter {i}")) for i in (1, 2))
    now = world.clock.now
    code = world.code("B-FAIR-VOIDED", BABY)
    a1 = one.redeem(code, now - 5 * HOUR, 3)
    b1 = two.redeem(code, now - 4 * HOUR, 2)
    one.pos.push(a1)
    (r,) = two.pos.push(b1)
    assert r["status"] == "conflict" and r["conflict"]["quote_covered"] == VOUCHER
    _, cursor = two.pos.pages("/v1/redemptions/changes")
    # Counter 2's conflict is voided (goods taken back), then counter 1's redemption
    # is voided by counter 2 (a supervisor at the other till of the same shop).
    two.pos.push(two.pos.void(b1["uuid"], now - 60))
    _, cursor_one = one.pos.pages("/v1/redemptions/changes")
    two.pos.push(two.pos.void(a1["uuid"], now))
    b1_now = status(two.pos, b1["uuid"])
    assert (b1_now["status"], b1_now["voided"]) == ("conflict", True)
    assert quote_covered(world, b1["uuid"]) == VOUCHER
    assert two.pos.pages("/v1/redemptions/changes", after=cursor)[0] == []
    # The counter that made a1 is told that another device voided it.
    changes, _ = one.pos.pages("/v1/redemptions/changes", after=cursor_one)
    assert [(c["uuid"], c["status"], c["voided"]) for c in changes] == [
        (a1["uuid"], "accepted", True)]


def test_a_late_arrival_is_quoted_before_what_came_after_it(world: World) -> None:
    """A redemption synced late re-quotes the later ones on top of it: a later one
    whose own earlier allocation is not counted against itself stays accepted."""
    one, two = (Counter(world.pos("baby-shop-01", f"counter {i}")) for i in (1, 2))
    now = world.clock.now
    code = world.code("B-FAIR-LATE", BABY)
    early = one.redeem(code, now - 5 * HOUR, 1)
    later = two.redeem(code, now - 1 * HOUR, 3)
    (r,) = two.pos.push(later)
    assert r["status"] == "accepted"
    (r,) = one.pos.push(early)
    assert r["status"] == "accepted"
    assert status(two.pos, later["uuid"])["status"] == "accepted"
    assert quote_covered(world, later["uuid"]) == 3 * VOUCHER
    alloc, _ = allocation(two.pos)
    assert alloc == {early["uuid"]: {"v1": VOUCHER},
                     later["uuid"]: {"v2": VOUCHER, "v3": VOUCHER, "v4": VOUCHER}}
