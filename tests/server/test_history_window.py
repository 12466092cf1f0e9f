"""The judge reads only the part of a history the quote can see (``ledger_history``);
its stored verdicts must be those of a full re-judge of every redemption from the
start, in time order, whatever order the pushes, late arrivals and voids came in."""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any

import pytest
from sqlalchemy import select

from merchant_pos.domain.claims import Entitlement, Period, Unit
from merchant_pos.domain.issuing import issue_code
from merchant_pos.domain.quote import UsageRecord
from merchant_pos.server import ledger_history
from merchant_pos.server.demo_seed import MEALS
from merchant_pos.server.ingest_judge import conflict_text
from merchant_pos.server.requote import judge_history
from merchant_pos.server.schema import draws, redemptions
from tests.server.world import Pos, World
from tests.support.codes import DAY, claims

# Every kind of period, a once-only entitlement and one that counts all of history.
ENTS = (
    Entitlement("d", ("meal",), Unit.COUNT, 1, Period.DAY, val=1000),
    Entitlement("w", ("meal", "fruit"), Unit.FEN, 2000, Period.WEEK),
    Entitlement("m", ("fruit",), Unit.FEN, 3000, Period.MONTH),
    Entitlement("y", ("fruit",), Unit.FEN, 4000, Period.YEAR),
    Entitlement("o", ("meal", "fruit"), Unit.FEN, 1000, Period.TOTAL, once=True),
    Entitlement("t", ("meal", "fruit"), Unit.FEN, 6000, Period.TOTAL),
)
CARTS = ([("meal", 1200, 1)], [("meal", 1200, 1), ("fruit", 800, 1)], [("fruit", 1500, 1)],
         [("meal", 2500, 2)])
SPAN_DAYS = 75  # longer than a month: the window leaves the oldest draws out


def _scenario(world: World, seed: int) -> list[tuple[Pos, list[dict[str, Any]]]]:
    """Two offline counters serving two beneficiaries; (device, batch) pushes in a
    random interleaving, with voids of earlier redemptions pushed later."""
    rng = random.Random(seed)
    now = world.clock.now
    codes = [issue_code(world.key, claims(sub=f"B-WIN-{seed}-{n}", prg=MEALS, ent=ENTS,
                                          iat=now - 100 * DAY, exp=now + 30 * DAY))
             for n in range(2)]
    counters = [world.pos("canteen-01", f"counter {n}") for n in range(2)]
    first = [(now - rng.randrange(SPAN_DAYS * DAY), rng.choice(codes)) for _ in range(18)]
    # the second counter serves some of the same people an hour later the same day
    second = [(min(at + 3600, now), code) for at, code in rng.sample(first, 9)] + [
        (now - rng.randrange(SPAN_DAYS * DAY), rng.choice(codes)) for _ in range(9)]
    return offline_pushes(rng, counters, (first, second), 6)


def offline_pushes(rng: random.Random, counters: list[Pos],
                   served: tuple[list[tuple[int, str]], ...], most: int
                   ) -> list[tuple[Pos, list[dict[str, Any]]]]:
    """Each counter quotes what it ``served`` ((time, code)) on its own history only; the
    outboxes are pushed in a random interleaving of 1 to ``most`` items, with voids of
    earlier redemptions pushed later."""
    outboxes: list[list[dict[str, Any]]] = []
    for _pos, made in zip(counters, served, strict=True):
        own: dict[str, list[UsageRecord]] = defaultdict(list)  # what this counter knows
        box = []
        for at, code in sorted(made):
            item = _pos.item(code, at, rng.choice(CARTS), own[code])
            own[code] += [UsageRecord(ent, fen, line["units"].get(ent, 0), at, item["uuid"])
                          for line in item["lines"] for ent, fen in line["draws"].items()]
            box.append(item)
        outboxes.append(box)
    pushes: list[tuple[Pos, list[dict[str, Any]]]] = []
    pushed: list[list[dict[str, Any]]] = [[], []]
    while any(outboxes):
        n = rng.choice([i for i in (0, 1) if outboxes[i]])
        take = rng.randint(1, most)
        batch, outboxes[n] = outboxes[n][:take], outboxes[n][take:]
        if pushed[n] and rng.random() < 0.4:  # a void of one pushed before
            target = pushed[n].pop(rng.randrange(len(pushed[n])))
            batch.append(counters[n].void(target["uuid"], target["at"] + 60))
        pushed[n] += [i for i in batch if i["type"] == "redemption"]
        pushes.append((counters[n], batch))
    return pushes


def _full_rejudge(world: World) -> dict[str, tuple[str, str | None, int | None, list[Any]]]:
    """Every beneficiary's whole history judged again from nothing."""
    r = redemptions.c
    with world.engine.connect() as conn:
        rows = conn.execute(select(r.uuid, r.iss, r.sub, r.at, r.voided_by, r.body)
                            .where(r.kind == "redemption",
                                   r.status.in_(("accepted", "conflict")))).all()
    by_key: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for row in rows:
        by_key[(row.iss, row.sub)].append(ledger_history._stored_entry(row, set()))
    out = {}
    for entries in by_key.values():
        for rid, v in judge_history(entries).items():
            out[rid] = (v.status, conflict_text(v.conflict), v.quote_covered,
                        [(u.ent, u.amount, u.units, u.at) for u in v.allocation])
    return out


def _stored(world: World) -> dict[str, tuple[str, str | None, int | None, list[Any]]]:
    r, d = redemptions.c, draws.c
    with world.engine.connect() as conn:
        alloc: dict[str, list[Any]] = defaultdict(list)
        for dr in conn.execute(select(d.rid, d.ent, d.amount, d.units, d.at)
                               .where(d.voided.is_(False)).order_by(d.rid, d.ent)):
            alloc[dr.rid].append((dr.ent, dr.amount, dr.units, dr.at))
        return {row.uuid: (row.status, row.conflict, row.quote_covered, alloc[row.uuid])
                for row in conn.execute(select(r.uuid, r.status, r.conflict, r.quote_covered)
                                        .where(r.kind == "redemption",
                                               r.voided_by.is_(None)))}


@pytest.mark.parametrize("seed", [1, 2])
def test_windowed_judge_equals_a_full_rejudge(world: World, seed: int) -> None:
    for pos, batch in _scenario(world, seed):
        for result in pos.push(*batch):
            assert result["status"] in ("accepted", "conflict"), result
    stored, full = _stored(world), _full_rejudge(world)
    assert stored == full
    assert "conflict" in {s[0] for s in stored.values()}  # the histories did collide
    with world.engine.connect() as conn:  # and some draws lay outside every window
        oldest = conn.scalar(select(draws.c.at).order_by(draws.c.at).limit(1))
    assert oldest is not None and oldest < world.clock.now - 40 * DAY


def test_the_window_is_the_earliest_period_start_of_the_bounded_entitlements() -> None:
    from merchant_pos.domain.periods import period_bounds
    from merchant_pos.server.requote import Entry
    from tests.support.codes import NOW

    c = claims(ent=ENTS)
    cutoff, whole = ledger_history._window([Entry("r", NOW, c, (), (), {})], NOW)
    assert whole == {"o", "t"}  # once-only and all-time: every draw of them is read
    starts = [period_bounds(p, NOW, c.zone) for p in (Period.DAY, Period.WEEK, Period.MONTH,
                                                          Period.YEAR)]
    assert cutoff == min(b[0] for b in starts if b is not None)
    voided = Entry("v", NOW - 90 * DAY, c, (), (), {}, voided=True, rejudge=False)
    assert ledger_history._window([voided], NOW) == (NOW, set())  # not re-judged: no reach
