"""The periods' cache (``periods._SPANS``) never changes an answer: the bounds it gives
are those computed afresh, whatever order the instants come in, at boundaries that
fall inside a UTC day (every one, outside UTC)."""

from __future__ import annotations

import random
from zoneinfo import ZoneInfo

import pytest

from merchant_pos.domain import periods
from merchant_pos.domain.claims import Period
from merchant_pos.domain.periods import compute_bounds, period_bounds

ZONES = ["Asia/Shanghai", "Asia/Kathmandu", "America/St_Johns", "Europe/Berlin",
         "Australia/Lord_Howe", "Pacific/Chatham"]
KINDS = [Period.DAY, Period.WEEK, Period.MONTH, Period.YEAR]
LMT_1890 = -2524521600  # 1890-01-01 UTC: Shanghai kept +8:05:43 (local mean time)


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    periods._SPANS.clear()


def _instants(rng: random.Random) -> list[tuple[Period, int, ZoneInfo]]:
    """Instants around period boundaries (one second either side, the same UTC day)
    and at random, in a shuffled order so that the cache is asked across them."""
    out = []
    for name in ZONES:
        tz = ZoneInfo(name)
        for per in KINDS:
            for base in (LMT_1890, 1_700_000_000, 1_800_000_000):
                at = base + rng.randrange(0, 400 * 86_400)
                start, end = compute_bounds(per, at, tz)
                for t in (start - 1, start, end - 1, end, at, start + 899, end - 900):
                    out.append((per, t, tz))
    rng.shuffle(out)
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cached_bounds_equal_fresh_ones_in_any_order(seed: int) -> None:
    asked = _instants(random.Random(seed))
    for per, t, tz in asked + asked[::-1]:
        assert period_bounds(per, t, tz) == compute_bounds(per, t, tz), (per, t, tz)
    assert periods._SPANS  # it did cache
    assert max(map(len, periods._SPANS.values())) <= 3  # periods of one kind in a UTC day


def test_a_utc_day_with_a_clock_change() -> None:
    """The UTC day on which Chatham's clocks go forward (+12:45 -> +13:45): every
    quarter hour of it gets the bounds of its own local day."""
    tz = ZoneInfo("Pacific/Chatham")
    day = 1_695_513_600  # 2023-09-24 UTC: Chatham's clocks go forward (+12:45 -> +13:45)
    for t in range(day, day + 86_400, 900):
        assert period_bounds(Period.DAY, t, tz) == compute_bounds(Period.DAY, t, tz)


def test_a_boundary_inside_a_utc_day_is_not_crossed() -> None:
    tz = ZoneInfo("Asia/Shanghai")
    start, _end = compute_bounds(Period.DAY, 1_800_000_000, tz)
    before, after = start - 1, start
    assert before // 86_400 == after // 86_400  # both instants share a UTC day
    assert period_bounds(Period.DAY, before, tz) == compute_bounds(Period.DAY, before, tz)
    assert period_bounds(Period.DAY, after, tz) == (start, compute_bounds(Period.DAY,
                                                                           after, tz)[1])


def test_the_cache_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(periods, "_MAX_SPANS", 10)
    tz = ZoneInfo("UTC")
    for day in range(100):
        period_bounds(Period.DAY, 1_700_000_000 + day * 86_400, tz)
        assert len(periods._SPANS) <= 10


def test_total_has_no_bounds() -> None:
    assert period_bounds(Period.TOTAL, 0, ZoneInfo("UTC")) is None
