"""Calendar periods of an entitlement limit, in the program's time zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from merchant_pos.domain.claims import TOTAL, Period


def period_key(per: Period, at: int, tz: ZoneInfo) -> tuple[int, ...]:
    """A value equal for two instants exactly when they share the period."""
    if per is Period.TOTAL:
        return ()
    local = datetime.fromtimestamp(at, tz)
    if per is Period.DAY:
        return (local.year, local.month, local.day)
    if per is Period.WEEK:
        iso = local.isocalendar()
        return (iso.year, iso.week)
    if per is Period.MONTH:
        return (local.year, local.month)
    return (local.year,)


def _first_day(per: Period, day: date) -> date:
    if per is Period.DAY:
        return day
    if per is Period.WEEK:
        return day - timedelta(days=day.weekday())
    if per is Period.MONTH:
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def _next_first_day(per: Period, first: date) -> date:
    if per is Period.DAY:
        return first + timedelta(days=1)
    if per is Period.WEEK:
        return first + timedelta(days=7)
    if per is Period.MONTH:
        return date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return date(first.year + 1, 1, 1)


def _start_of_local_day(day: date, tz: ZoneInfo) -> int:
    # fold=0 gives the earlier instant where midnight repeats, and the moment of
    # the jump where a DST gap swallows midnight: both are the day's first instant.
    return int(datetime(day.year, day.month, day.day, tzinfo=tz).timestamp())


# The last period computed per (kind, zone): a counter quotes all day within the
# same day, week, month and year, and a period's bounds hold for every instant in
# it. At most 4 kinds x the IANA zones, so it cannot grow without bound.
_LAST: dict[tuple[Period, ZoneInfo], tuple[int, int]] = {}


def period_bounds(per: Period, now: int, tz: ZoneInfo) -> tuple[int, int] | None:
    """``[start, end)`` in epoch seconds of the period holding ``now``; None for total."""
    if per is TOTAL:
        return None
    key = (per, tz)
    last = _LAST.get(key)
    if last is not None and last[0] <= now < last[1]:
        return last
    today = datetime.fromtimestamp(now, tz).date()
    first = _first_day(per, today)
    bounds = (_start_of_local_day(first, tz),
              _start_of_local_day(_next_first_day(per, first), tz))
    _LAST[key] = bounds
    return bounds
