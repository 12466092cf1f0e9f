"""Usage at the very first and last second of a period, in several zones and every period."""

from __future__ import annotations

import pytest

from merchant_pos.domain.claims import Entitlement, Period, Unit
from merchant_pos.domain.periods import period_bounds
from merchant_pos.domain.quote import UsageRecord, remaining_at
from tests.support.codes import NOW, claims

ZONES = ["Asia/Shanghai", "America/New_York", "Australia/Lord_Howe", "UTC"]
PERIODS = [Period.DAY, Period.WEEK, Period.MONTH, Period.YEAR]


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize("per", PERIODS)
def test_first_second_counts_and_the_next_periods_first_second_does_not(
        tz: str, per: Period) -> None:
    ent = Entitlement("e", ("meal",), Unit.FEN, 1000, per)
    c = claims(ent=(ent,), tz=tz)
    bounds = period_bounds(per, NOW, c.zone)
    assert bounds is not None
    start, end = bounds
    inside_first = UsageRecord("e", 100, 0, start, "r1")
    inside_last = UsageRecord("e", 10, 0, end - 1, "r2")
    before = UsageRecord("e", 1, 0, start - 1, "r3")
    after = UsageRecord("e", 1, 0, end, "r4")
    assert remaining_at(c, NOW, [inside_first]) == {"e": 900}
    assert remaining_at(c, NOW, [inside_last]) == {"e": 990}
    assert remaining_at(c, NOW, [before, after]) == {"e": 1000}
    # Quoting at the period's own first and last second sees the same period.
    assert remaining_at(c, start, [inside_first, before]) == {"e": 900}
    assert remaining_at(c, end - 1, [inside_last, after]) == {"e": 990}
