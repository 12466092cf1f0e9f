"""The double-spend replay on its own: the verdict depends on the set of draws only."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from merchant_pos.server.ledger_replay import Draw, replay
from tests.support.codes import DAY, NOW


def meal(rid: str, at: int, sub: str = "B1") -> Draw:
    return Draw(rid, "iss", sub, "meal", 1000, 1, at, "count", 1, "day", False, "Asia/Shanghai")


def voucher(rid: str, at: int, amount: int) -> Draw:
    return Draw(rid, "iss", "B1", "v1", amount, 0, at, "fen", 5000, "total", True,
                "Asia/Shanghai")


def test_one_meal_a_day_in_the_program_zone() -> None:
    # NOW is 11:00 in Shanghai: +12h59m is still today there, +13h is tomorrow.
    judged = replay([meal("a", NOW), meal("b", NOW + 12 * 3600 + 3540),
                     meal("c", NOW + 13 * 3600), meal("d", NOW, sub="B2")])
    assert [bool(judged[r]) for r in "abcd"] == [False, True, False, False]
    (exc,) = judged["b"]
    assert (exc["used_before"], exc["drawn"], exc["earlier"]) == (1, 1, ["a"])


def test_single_use_voucher_and_voided_draws() -> None:
    draws = [voucher("a", NOW, 100), voucher("b", NOW + 1, 100)]
    assert replay(draws)["b"][0]["once"] is True
    assert replay(draws, not_counting=frozenset({"a"}))["b"] == []
    assert replay([voucher("x", NOW, 5001)])["x"][0]["lim"] == 5000  # over the limit alone


def test_same_time_is_ordered_by_uuid() -> None:
    judged = replay([meal("b", NOW), meal("a", NOW)])
    assert judged["a"] == [] and judged["b"][0]["earlier"] == ["a"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3 * DAY), st.sampled_from(["B1", "B2"])),
                min_size=1, max_size=12), st.randoms())
def test_verdict_does_not_depend_on_arrival_order(times, rnd) -> None:  # type: ignore[no-untyped-def]
    draws = [meal(f"r{i:02d}", NOW + t, sub) for i, (t, sub) in enumerate(times)]
    shuffled = list(draws)
    rnd.shuffle(shuffled)
    first, second = replay(draws), replay(shuffled)
    assert first == second
    # At most one accepted meal per beneficiary and local day.
    from merchant_pos.domain.claims import Period, zone
    from merchant_pos.domain.periods import period_key

    days = {(d.sub, period_key(Period.DAY, d.at, zone(d.tz))) for d in draws}
    accepted = [d for d in draws if not first[d.rid]]
    assert len(accepted) == len(days)


def _naive_replay(draws: list[Draw], not_counting: frozenset[str]) -> dict[str, list[str]]:
    """The rule stated plainly, quadratic: every draw against every earlier one."""
    from merchant_pos.domain.claims import Period, zone
    from merchant_pos.domain.periods import period_key

    out: dict[str, list[str]] = {d.rid: [] for d in draws}
    for d in sorted(draws, key=lambda x: (x.rid, x.ent)):
        def key(at: int, d: Draw = d) -> tuple[int, ...]:
            return period_key(Period(d.per), at, zone(d.tz))

        earlier = [e for e in draws
                   if (e.iss, e.sub, e.ent) == (d.iss, d.sub, d.ent)
                   and (e.at, e.rid) < (d.at, d.rid) and e.rid not in not_counting
                   and (d.per == "total" or key(e.at) == key(d.at))]
        used = sum(e.used for e in earlier)
        if (d.once and earlier) or used + d.used > d.lim:
            out[d.rid].append(f"{d.ent}:{used}:{len(earlier)}")
    return {rid: sorted(v) for rid, v in out.items()}


RULES = [("count", 1, "day", False, "Asia/Shanghai"), ("fen", 3000, "week", False, "UTC"),
         ("fen", 5000, "total", True, "Asia/Shanghai"), ("count", 2, "month", False,
                                                         "America/New_York")]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40 * DAY), st.sampled_from(["B1", "B2"]),
                          st.sampled_from(["e1", "e2"]), st.integers(0, 3),
                          st.integers(1, 2500), st.booleans()),
                min_size=1, max_size=25))
def test_single_pass_replay_matches_the_plain_rule(rows) -> None:  # type: ignore[no-untyped-def]
    draws, voided = [], set()
    for i, (t, sub, ent, rule, amount, void) in enumerate(rows):
        unit, lim, per, once, tz = RULES[rule if ent == "e1" else (rule + 1) % 4]
        draws.append(Draw(f"r{i:02d}", "iss", sub, ent, amount, 1, NOW + t, unit, lim, per,
                          once, tz))
        if void:
            voided.add(f"r{i:02d}")
    judged = replay(draws, not_counting=frozenset(voided))
    summary = {rid: sorted(f"{e['ent']}:{e['used_before']}:{len(e['earlier'])}"
                           if len(e["earlier"]) < 10 else f"{e['ent']}:{e['used_before']}:10+"
                           for e in exc) for rid, exc in judged.items()}
    naive = _naive_replay(draws, frozenset(voided))
    naive = {rid: sorted(x if int(x.split(":")[2]) < 10 else ":".join(x.split(":")[:2]) + ":10+"
                         for x in v) for rid, v in naive.items()}
    assert summary == naive
