"""Double-spend detection: replay a beneficiary's draws in redemption-time order.

The status of a redemption is a function of the set of recorded redemptions,
not of the order in which devices happened to sync: the draws of one
beneficiary are ordered by (redemption time, UUID), and a redemption is a
conflict when one of its draws, added to what earlier redemptions drew from
that entitlement in the same period, passes the entitlement's limit (or, for
a single-use voucher, when an earlier redemption already opened it). The
rule (limit, period, time zone) is the one the redeemed code stated.

Conflicting redemptions still count: the goods were handed over.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from merchant_pos.domain.claims import Period, zone
from merchant_pos.domain.periods import period_bounds, period_key

MAX_EARLIER_LISTED = 10


@dataclass(frozen=True, slots=True)
class Draw:
    """What one redemption drew from one entitlement of one beneficiary (over its lines)."""

    rid: str
    iss: str
    sub: str
    ent: str
    amount: int
    units: int
    at: int
    unit: str  # "fen" or "count"
    lim: int
    per: str
    once: bool
    tz: str

    @property
    def used(self) -> int:
        return self.units if self.unit == "count" else self.amount


@lru_cache(maxsize=65536)
def _key(per: str, at: int, tz: str) -> tuple[int, ...]:
    return period_key(Period(per), at, zone(tz))


def replay(draws: Iterable[Draw], *, not_counting: frozenset[str] = frozenset()
           ) -> dict[str, list[dict[str, Any]]]:
    """rid → the entitlements it exceeded (empty list: within limits).

    ``not_counting``: voided redemptions; they get a status of their own but
    their draws do not count against the others.

    One pass per entitlement in (time, UUID) order with running totals per
    period: linear in a beneficiary's history, which grows all year (a daily
    meal is 365 draws), where comparing every draw with every earlier one
    would be quadratic at every push.
    """
    by_ent: dict[tuple[str, str, str], list[Draw]] = defaultdict(list)
    rids: list[str] = []
    for d in draws:
        by_ent[(d.iss, d.sub, d.ent)].append(d)
        rids.append(d.rid)
    found: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for group in by_ent.values():
        group.sort(key=lambda d: (d.at, d.rid))
        for rid, exceeded in _judge_entitlement(group, not_counting):
            found[rid].append((exceeded["ent"], exceeded))
    return {rid: [exc for _, exc in sorted(found.get(rid, ()), key=lambda x: x[0])]
            for rid in rids}


def _judge_entitlement(group: list[Draw], not_counting: frozenset[str]
                       ) -> Iterable[tuple[str, dict[str, Any]]]:
    """The over-limit draws of one entitlement's ``group`` (sorted by time, UUID).

    Each draw is judged under its own code's rule (period and time zone), so
    the group is walked once per distinct rule (nearly always one).
    """
    for per, tz in {(d.per, d.tz) for d in group}:
        total = per == Period.TOTAL.value
        earlier: dict[tuple[int, ...], list[Draw]] = defaultdict(list)  # counted, per period
        used: dict[tuple[int, ...], int] = defaultdict(int)
        for d in group:
            key = () if total else _key(per, d.at, tz)
            if (d.per, d.tz) == (per, tz):
                before = earlier[key]
                used_before = used[key]
                if (d.once and bool(before)) or used_before + d.used > d.lim:
                    yield d.rid, _exceeded(d, used_before, before)
            if d.rid not in not_counting:
                earlier[key].append(d)
                used[key] += d.used


def _exceeded(d: Draw, used_before: int, earlier: list[Draw]) -> dict[str, Any]:
    bounds = period_bounds(Period(d.per), d.at, zone(d.tz))
    return {
        "ent": d.ent, "unit": d.unit, "lim": d.lim, "per": d.per, "once": d.once,
        "used_before": used_before, "drawn": d.used,
        "period_start": bounds[0] if bounds else None,
        "period_end": bounds[1] if bounds else None,
        "earlier": [e.rid for e in earlier[-MAX_EARLIER_LISTED:]],
    }
