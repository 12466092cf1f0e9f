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


# Periods computed lately, by (kind, zone, UTC day of the instant): a counter quotes
# all day within the same periods, and the server's judge re-quotes redemptions
# spread over many days, so one remembered span per kind would miss there. A UTC
# day overlaps at most three periods of a kind (a 23-hour day may lie inside it);
# a span is used only if it holds the instant, so the cache can never change an
# answer. It is emptied when it holds _MAX_SPANS days.
_SPANS: dict[tuple[Period, ZoneInfo, int], list[tuple[int, int]]] = {}
_MAX_SPANS = 4096
_SLOT = 86_400  # seconds


def period_bounds(per: Period, now: int, tz: ZoneInfo) -> tuple[int, int] | None:
    """``[start, end)`` in epoch seconds of the period holding ``now``; None for total."""
    if per is TOTAL:
        return None
    key = (per, tz, now // _SLOT)
    known = _SPANS.get(key)
    if known is not None:
        for span in known:
            if span[0] <= now < span[1]:
                return span
    span = compute_bounds(per, now, tz)
    if known is None:
        if len(_SPANS) >= _MAX_SPANS:
            _SPANS.clear()
        _SPANS[key] = [span]
    else:
        known.append(span)
    return span


def compute_bounds(per: Period, now: int, tz: ZoneInfo) -> tuple[int, int]:
    """:func:`period_bounds` of a period kind other than total, computed afresh."""
    today = datetime.fromtimestamp(now, tz).date()
    first = _first_day(per, today)
    return (_start_of_local_day(first, tz),
            _start_of_local_day(_next_first_day(per, first), tz))
