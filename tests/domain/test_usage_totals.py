"""Running totals (issue 14): the quote from the totals equals the quote from the draws, on
random histories with voids, server re-allocations, time zones and period edges."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from merchant_pos.domain.claims import Entitlement, Period, Unit
from merchant_pos.domain.periods import period_bounds
from merchant_pos.domain.quote import CartLine, UsageRecord, quote, remaining_at
from merchant_pos.domain.usage_totals import UsageTotals, shapes_of
from tests.support.codes import DAY, NOW, claims

ZONES = ("Asia/Shanghai", "America/New_York", "Australia/Lord_Howe", "Pacific/Apia",
         "Europe/London", "UTC")
PERIODS = list(Period)


@st.composite
def entitlements(draw: st.DrawFn) -> tuple[Entitlement, ...]:
    out = []
    for i in range(draw(st.integers(1, 5))):
        once = draw(st.booleans()) and i % 2 == 0
        unit = Unit.FEN if once else draw(st.sampled_from(list(Unit)))
        per = Period.TOTAL if once else draw(st.sampled_from(PERIODS))
        cats = tuple(draw(st.lists(st.sampled_from(["meal", "fruit", "milk"]), min_size=1,
                                   max_size=3, unique=True)))
        out.append(Entitlement(
            f"e{i}", cats, unit, draw(st.integers(1, 5000)), per,
            val=draw(st.integers(1, 900)) if unit is Unit.COUNT else None, once=once,
            active_from=draw(st.none() | st.just(NOW - 100 * DAY)),
            until=draw(st.none() | st.just(NOW + 100 * DAY))))
    return tuple(out)


@st.composite
def histories(draw: st.DrawFn) -> tuple[object, ...]:
    ents = draw(entitlements())
    tz = draw(st.sampled_from(ZONES))
    c = claims(ent=ents, tz=tz)
    now = NOW + draw(st.integers(-90 * DAY, 90 * DAY))
    ids = [e.id for e in ents] + ["gone"]  # records of an entitlement no longer in the code
    events: list[tuple[str, UsageRecord]] = []
    for n in range(draw(st.integers(0, 40))):
        ent = draw(st.sampled_from(ids))
        per = draw(st.sampled_from(PERIODS))
        span = period_bounds(per, now, c.zone) or (now - 500 * DAY, now + 1)
        at = draw(st.sampled_from([span[0], span[0] - 1, span[1] - 1, span[1], now]) |
                  st.integers(now - 800 * DAY, now + 5 * DAY))
        rec = UsageRecord(ent, draw(st.integers(0, 3000)), draw(st.integers(0, 3)), at, f"r{n}")
        events.append(("add", rec))
        action = draw(st.sampled_from(["keep", "keep", "void", "realloc"]))
        if action == "void":
            events.append(("remove", rec))
        elif action == "realloc":  # the server books it on another entitlement
            events.append(("remove", rec))
            events.append(("add", replace(rec, ent=draw(st.sampled_from(ids)))))
    cart = [CartLine(draw(st.sampled_from(["meal", "fruit", "milk"])),
                     draw(st.integers(1, 6000)), draw(st.integers(1, 4)))
            for _ in range(draw(st.integers(0, 4)))]
    other_tz = draw(st.sampled_from(ZONES))
    return c, now, events, cart, other_tz


@settings(max_examples=120, deadline=None)
@given(histories())
def test_quote_from_totals_equals_quote_from_the_draws(h: tuple[object, ...]) -> None:
    c, now, events, cart, other_tz = h
    assert isinstance(now, int) and isinstance(events, list) and isinstance(cart, list)
    shapes = shapes_of(c)  # type: ignore[arg-type]
    live = UsageTotals()
    kept: list[UsageRecord] = []
    for kind, rec in events:
        if kind == "add":
            live.add(rec, 1, shapes.get(rec.ent))
            kept.append(rec)
        else:
            live.add(rec, -1)
            kept.remove(rec)
    replayed = UsageTotals.replay(kept, shapes)
    assert replayed.buckets == live.buckets
    assert {k: s.records for k, s in replayed.shapes.items()} == {
        k: s.records for k, s in live.shapes.items() if s.records}
    for totals in (live, replayed):
        usage = totals.usage_at(c, now)  # type: ignore[arg-type]
        assert usage is not None  # bucketed for this code: no fallback
        assert len(usage) <= len(c.ent)  # type: ignore[attr-defined]
        assert remaining_at(c, now, usage) == remaining_at(c, now, kept)  # type: ignore[arg-type]
        assert quote(c, now, cart, usage) == quote(c, now, cart, kept)  # type: ignore[arg-type]
    # Bucketed for another zone or period kind: the totals say so, the caller reads draws.
    other = replace(c, tz=other_tz)  # type: ignore[type-var]
    moved = other.tz != c.tz and any(  # type: ignore[attr-defined]
        e.is_active(now) and replayed.shapes.get(e.id) is not None
        and replayed.shapes[e.id].records for e in c.ent)  # type: ignore[attr-defined]
    if moved:
        assert replayed.usage_at(other, now) is None


def test_a_record_at_a_periods_first_second_is_in_its_bucket() -> None:
    for tz in ZONES:
        for per in (Period.DAY, Period.WEEK, Period.MONTH, Period.YEAR):
            ent = Entitlement("e", ("meal",), Unit.FEN, 1000, per)
            c = claims(ent=(ent,), tz=tz)
            start, end = period_bounds(per, NOW, c.zone) or (0, 0)
            for at, left in ((start, 900), (end - 1, 900), (start - 1, 1000), (end, 1000)):
                rec = UsageRecord("e", 100, 0, at, "r")
                usage = UsageTotals.replay([rec], shapes_of(c)).usage_at(c, NOW)
                assert usage is not None
                assert remaining_at(c, NOW, usage) == {"e": left}, (tz, per, at)


def test_a_single_use_voucher_is_used_by_any_record_even_of_zero_fen() -> None:
    ent = Entitlement("v", ("formula",), Unit.FEN, 5000, Period.TOTAL, once=True)
    c = claims(ent=(ent,))
    for amount in (0, 1, 5000):
        rec = UsageRecord("v", amount, 0, NOW - 400 * DAY, "r")
        usage = UsageTotals.replay([rec], shapes_of(c)).usage_at(c, NOW)
        assert usage is not None and remaining_at(c, NOW, usage) == {"v": 0}
        assert quote(c, NOW, [CartLine("formula", 100)], usage).covered == 0
