"""The judge reads the history before a re-judge from the usage totals
(``server/history_totals``, kept by ``server/usage_totals``): its stored verdicts must
be those of a full re-judge of every draw from the start, the totals must equal a
replay of the draws after every push, and the rows it reads must not grow with the
history. A short history is read from the draws by choice (``SMALL_HISTORY``): the
random histories run with it at 0 (the totals wherever they can say) and at its
default, and the tests of the totals' own reads set it to 0."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select, text

from merchant_pos.domain.claims import Entitlement, Period, Unit, zone
from merchant_pos.domain.issuing import issue_code
from merchant_pos.domain.periods import period_bounds
from merchant_pos.server import history_totals, ingest_judge, ledger_history, usage_totals
from merchant_pos.server.database import _alembic_config, create_schema
from merchant_pos.server.demo_seed import MEALS
from merchant_pos.server.schema import usage_totals as totals_table
from tests.server.test_history_window import ENTS, _full_rejudge, _stored, offline_pushes
from tests.server.world import Pos, World
from tests.support.codes import DAY, claims

SPAN_DAYS = 75  # across the new year (NOW is 2026-02-10): a yearly bucket ends in it
SHANGHAI = zone("Asia/Shanghai")
# the same entitlement ids, "w" and "m" with other period kinds: two shapes of one id
OTHER_ENTS = tuple(replace(e, per=Period.MONTH) if e.id == "w" else
                   replace(e, per=Period.WEEK) if e.id == "m" else e for e in ENTS)


class Spy:
    """Counts what the judge did (the real functions run)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.keys = self.planned = self.redone = self.draw_rows = self.bucket_reads = 0
        self.planned_keys: list[set[Any]] = []  # per call of plan_totals
        self.drawn: dict[Any, int] = defaultdict(int)  # draw rows read per key
        self.buckets: dict[Any, int] = defaultdict(int)  # buckets asked for per key
        real_plan, real_conflict = history_totals.plan_totals, history_totals.totals_in_conflict
        real_read, real_buckets = ledger_history._read_draws, history_totals._read_buckets

        def plan(conn: Any, keys: list[Any], *args: Any) -> Any:
            out = real_plan(conn, keys, *args)
            self.keys += len(keys)
            self.planned += len(out)
            self.planned_keys.append(set(out))
            return out

        def conflict(verdicts: Any) -> bool:
            found = real_conflict(verdicts)
            self.redone += found
            return found

        def read(*args: Any) -> Any:
            out = real_read(*args)
            self.draw_rows += sum(len(v) for v in out.values())
            for key, recs in out.items():
                self.drawn[key] += len(recs)
            return out

        def buckets(conn: Any, rows: list[Any]) -> Any:
            self.bucket_reads += bool(rows)  # (no rows: no statement)
            for row in rows:
                self.buckets[row[:2]] += 1
            return real_buckets(conn, rows)

        monkeypatch.setattr(ledger_history, "plan_totals", plan)
        monkeypatch.setattr(ingest_judge, "totals_in_conflict", conflict)
        monkeypatch.setattr(ledger_history, "_read_draws", read)
        monkeypatch.setattr(history_totals, "_read_buckets", buckets)


@pytest.fixture
def totals_always(monkeypatch: pytest.MonkeyPatch) -> None:
    """The totals for every history they can say, however short."""
    monkeypatch.setattr(history_totals, "SMALL_HISTORY", 0)


def _edge_time(rng: random.Random, now: int) -> int:
    """A time at a period's first or last second (day, week, month or year)."""
    while True:
        at = now - rng.randrange(SPAN_DAYS * DAY)
        bounds = period_bounds(rng.choice([Period.DAY, Period.WEEK, Period.MONTH, Period.YEAR]),
                               at, SHANGHAI)
        assert bounds is not None
        edge = bounds[0] if rng.random() < 0.5 else bounds[1] - 1
        if now - SPAN_DAYS * DAY <= edge <= now:
            return edge


def _scenario(world: World, seed: int, shapes: bool) -> list[tuple[Pos, list[dict[str, Any]]]]:
    """Two offline counters serving three beneficiaries at random times and at periods'
    first and last seconds; pushes in a random interleaving (late arrivals), with voids.
    ``shapes``: one beneficiary also holds a code giving "w" and "m" other periods."""
    rng = random.Random(seed)
    now = world.clock.now
    codes = [issue_code(world.key, claims(sub=f"B-TOT-{seed}-{n}", prg=MEALS, ent=ENTS,
                                          iat=now - 100 * DAY, exp=now + 30 * DAY))
             for n in range(3)]
    if shapes:
        codes.append(issue_code(world.key, claims(sub=f"B-TOT-{seed}-0", prg=MEALS,
                                                  ent=OTHER_ENTS, iat=now - 100 * DAY,
                                                  exp=now + 30 * DAY)))
    counters = [world.pos("canteen-01", f"counter {n}") for n in range(2)]
    first = [(_edge_time(rng, now) if rng.random() < 0.4
              else now - rng.randrange(SPAN_DAYS * DAY), rng.choice(codes)) for _ in range(22)]
    # the second counter serves some of the same people an hour later the same day
    second = [(min(at + 3600, now), code) for at, code in rng.sample(first, 11)] + [
        (_edge_time(rng, now), rng.choice(codes)) for _ in range(11)]
    return offline_pushes(rng, counters, (first, second), 5)


def _totals_match_the_draws(world: World) -> None:
    with world.engine.connect() as conn:
        assert usage_totals.stored(conn) == usage_totals.replay(conn)


DEFAULT_SMALL = history_totals.SMALL_HISTORY  # (before any test sets it)


# 0: the totals wherever they can say; 8: short and long histories in one batch
@pytest.mark.parametrize("small", [0, 8, DEFAULT_SMALL])
@pytest.mark.parametrize(("seed", "shapes"), [(3, False), (4, False), (5, True), (6, True)])
def test_totals_based_judge_equals_a_full_rejudge(world: World, monkeypatch: pytest.MonkeyPatch,
                                                  seed: int, shapes: bool, small: int) -> None:
    monkeypatch.setattr(history_totals, "SMALL_HISTORY", small)
    spy = Spy(monkeypatch)
    for pos, batch in _scenario(world, seed, shapes):
        for result in pos.push(*batch):
            assert result["status"] in ("accepted", "conflict"), result
        _totals_match_the_draws(world)
    stored, full = _stored(world), _full_rejudge(world)
    assert stored == full
    assert "conflict" in {s[0] for s in stored.values()}
    if small < DEFAULT_SMALL:  # (at the default all of them are short)
        assert spy.bucket_reads > 0  # the totals did answer
    if shapes or small:  # the beneficiary with two shapes of "w", or the short
        assert spy.planned < spy.keys  # histories, fell back to the draws
    with world.engine.connect() as conn:  # re-allocations and voids left buckets at zero
        assert conn.scalar(select(totals_table.c.records).order_by(totals_table.c.records)
                           .limit(1)) == 0


def test_a_conflict_naming_earlier_redemptions_reads_their_draws(
        world: World, monkeypatch: pytest.MonkeyPatch, totals_always: None
) -> None:
    """A double spend whose period began before the re-judge: the conflict lists the
    redemptions drawn earlier in the period, so the judge reads them (not a bucket)."""
    spy = Spy(monkeypatch)
    now = world.clock.now
    daily = (Entitlement("d", ("fruit",), Unit.FEN, 2000, Period.DAY),)
    code = issue_code(world.key, claims(sub="B-TOT-C", prg=MEALS, ent=daily,
                                        iat=now - 100 * DAY, exp=now + 30 * DAY))
    a, b = world.pos("canteen-01", "a"), world.pos("canteen-01", "b")
    early = a.item(code, now - 5 * 3600, [("fruit", 1500, 1)])
    assert a.push(early)[0]["status"] == "accepted"
    late = [b.item(code, now - 4 * 3600 + n, [("fruit", 1500, 1)]) for n in range(3)]
    results = b.push(*late)
    assert "conflict" in {r["status"] for r in results}
    conflict = next(r["conflict"] for r in results if r["status"] == "conflict")
    assert early["uuid"] in {rid for x in conflict["exceeded"] for rid in x["earlier"]}
    assert spy.redone >= 1
    assert _stored(world) == _full_rejudge(world)


YEARLY = (Entitlement("y", ("meal",), Unit.FEN, 10**9, Period.YEAR),
          Entitlement("o", ("fruit",), Unit.FEN, 1000, Period.TOTAL, once=True))


def _serve(world: World, pos: Pos, code: str, times: list[int]) -> None:
    for n in range(0, len(times), 100):
        results = pos.push(*[pos.item(code, at, [("meal", 800, 1)]) for at in times[n:n + 100]])
        assert {r["status"] for r in results} == {"accepted"}


@pytest.mark.parametrize("history", [30, 300])
def test_rows_read_do_not_grow_with_a_yearly_history(
        world: World, monkeypatch: pytest.MonkeyPatch, totals_always: None, history: int
) -> None:
    """300 prior draws in a yearly limit (every 3 hours since the new year): a new
    redemption reads a few rows, as with 30; a late arrival reads from its time on."""
    now = world.clock.now
    code = issue_code(world.key, claims(sub=f"B-YEAR-{history}", prg=MEALS, ent=YEARLY,
                                        iat=now - 100 * DAY, exp=now + 30 * DAY))
    pos = world.pos("canteen-01")
    year_start = period_bounds(Period.YEAR, now, SHANGHAI)
    assert year_start is not None
    times = [now - 3600 - 10_800 * n for n in range(history)]
    assert min(times) > year_start[0]
    _serve(world, pos, code, sorted(times))
    spy = Spy(monkeypatch)
    _serve(world, pos, code, [now])
    assert spy.planned == 1 and spy.draw_rows == 0  # no draw before now: the bucket says it
    statements = _count_statements(world, lambda: _serve(world, pos, code, [now + 60]))
    assert spy.planned == 2 and spy.draw_rows == 0
    _serve(world, pos, code, [now - 3600 - 10_800 * 4 - 30])  # a late arrival: 7 draws after it
    assert spy.planned == 3 and spy.draw_rows == 7  # re-judged from its time on
    assert _stored(world) == _full_rejudge(world)
    assert statements <= 30  # whatever the history (the same count for 30 and 300)


def _count_statements(world: World, run: Callable[[], None]) -> int:
    return len(_statements(world, run))


def _statements(world: World, run: Callable[[], None]) -> list[str]:
    """The SQL texts ``run`` issued, in order."""
    from sqlalchemy import event

    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(" ".join(args[2].split()))

    event.listen(world.engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        event.remove(world.engine, "before_cursor_execute", count)
    return seen


def test_the_migration_builds_the_totals_of_a_ledger(world: World) -> None:
    """A database at 0004 (before the totals) with draws, voids and re-allocations:
    upgrading builds exactly the totals ingest kept."""
    from alembic import command

    for pos, batch in _scenario(world, 7, True):
        pos.push(*batch)
    with world.engine.connect() as conn:
        kept = usage_totals.stored(conn)
    assert kept[1]
    with world.engine.begin() as conn:  # back to the previous revision, draws kept
        cfg = _alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004_n14b_history_indexes")
        assert conn.scalar(text("SELECT version_num FROM alembic_version")) == (
            "0004_n14b_history_indexes")
    create_schema(world.engine)
    with world.engine.connect() as conn:
        assert usage_totals.stored(conn) == kept == usage_totals.replay(conn)


def test_a_bucket_computed_under_other_zone_rules_is_not_trusted(
        world: World, monkeypatch: pytest.MonkeyPatch, totals_always: None
) -> None:
    """A bucket whose end is not the period end the code's zone gives now (the zone's
    rules changed since it was written): the judge reads the draws instead."""
    now = world.clock.now
    code = issue_code(world.key, claims(sub="B-TOT-Z", prg=MEALS, ent=YEARLY,
                                        iat=now - 100 * DAY, exp=now + 30 * DAY))
    pos = world.pos("canteen-01")
    _serve(world, pos, code, [now - 3 * DAY, now - 2 * DAY])
    spy = Spy(monkeypatch)
    _serve(world, pos, code, [now - DAY])
    assert (spy.planned, spy.draw_rows) == (1, 0)
    t = totals_table.c
    with world.engine.begin() as conn:
        conn.execute(totals_table.update().where(t.sub == "B-TOT-Z", t.ent == "y")
                     .values(period_end=t.period_end + 3600))
    _serve(world, pos, code, [now])
    assert spy.planned == 1 and spy.draw_rows == 3  # the year's draws, not the bucket
    assert _stored(world) == _full_rejudge(world)


def _bucket_selects(world: World, run: Callable[[], None]) -> int:
    """The statements ``run`` issued that read the buckets (``_read_buckets``)."""
    return sum("FROM usage_totals JOIN" in sql  # (not usage_totals_shape)
               for sql in _statements(world, run))


def test_a_short_history_is_read_from_its_draws_a_longer_one_from_the_buckets(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """SMALL_HISTORY draws of a yearly limit: the judge reads them through the window and
    no bucket; one more and it reads the year's bucket and no draw before the entry. A
    beneficiary with no draw at all gets an (empty) plan; one whose long history is of
    entitlements its re-judged code does not give is short. A batch of short histories
    only issues no bucket statement."""
    small = history_totals.SMALL_HISTORY
    assert small >= 1
    now = world.clock.now
    pos = world.pos("canteen-01")
    codes = {}
    for name, served in (("short", small), ("long", small + 1), ("new", 0)):
        codes[name] = issue_code(world.key, claims(sub=f"B-SMALL-{name}", prg=MEALS,
                                                   ent=YEARLY, iat=now - 100 * DAY,
                                                   exp=now + 30 * DAY))
        _serve(world, pos, codes[name], [now - 3600 - 60 * n for n in range(served)][::-1])
    daily = (Entitlement("d2", ("meal",), Unit.FEN, 10**9, Period.DAY),)
    codes["mixed"] = issue_code(world.key, claims(sub="B-SMALL-long", prg=MEALS, ent=daily,
                                                  iat=now - 100 * DAY, exp=now + 30 * DAY))
    _serve(world, pos, codes["mixed"], [now - 60])  # one "d2" draw beside the long "y"
    key = {name: ("demo-foundation", f"B-SMALL-{name}") for name in codes}
    key["mixed"] = key["long"]
    spy = Spy(monkeypatch)

    def push_all() -> None:
        items = [pos.item(codes[name], now, [("meal", 800, 1)])
                 for name in ("short", "long", "new")]
        assert {r["status"] for r in pos.push(*items)} == {"accepted"}

    assert _bucket_selects(world, push_all) == 1
    assert spy.planned_keys == [{key["long"], key["new"]}]
    assert spy.buckets == {key["long"]: 1}  # the year's bucket of "y" ("o": never drawn)
    assert spy.drawn[key["short"]] == small and spy.drawn[key["long"]] == 0
    assert spy.drawn[key["new"]] == 0
    assert _stored(world) == _full_rejudge(world)

    other = issue_code(world.key, claims(sub="B-SMALL-other", prg=MEALS, ent=YEARLY,
                                         iat=now - 100 * DAY, exp=now + 30 * DAY))
    _serve(world, pos, other, [now - 7200, now - 3600])
    spy.planned_keys.clear()

    def push_short() -> None:  # two draws of "y"; one of "d2" (the long "y" not used)
        items = [pos.item(code, now + 60, [("meal", 800, 1)])
                 for code in (other, codes["mixed"])]
        assert {r["status"] for r in pos.push(*items)} == {"accepted"}

    assert _bucket_selects(world, push_short) == 0
    assert spy.planned_keys == [set()] and spy.bucket_reads == 1  # (the first push's)
    assert _stored(world) == _full_rejudge(world)
