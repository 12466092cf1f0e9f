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
    """
    by_ent: dict[tuple[str, str, str], list[Draw]] = defaultdict(list)
    by_rid: dict[str, list[Draw]] = defaultdict(list)
    for d in draws:
        by_ent[(d.iss, d.sub, d.ent)].append(d)
        by_rid[d.rid].append(d)
    for group in by_ent.values():
        group.sort(key=lambda d: (d.at, d.rid))
    out: dict[str, list[dict[str, Any]]] = {}
    for rid, mine in by_rid.items():
        exceeded = []
        for d in sorted(mine, key=lambda x: x.ent):
            earlier = _earlier_in_period(d, by_ent[(d.iss, d.sub, d.ent)], not_counting)
            used_before = sum(e.used for e in earlier)
            over = (d.once and bool(earlier)) or used_before + d.used > d.lim
            if over:
                exceeded.append(_exceeded(d, used_before, earlier))
        out[rid] = exceeded
    return out


def _earlier_in_period(d: Draw, group: list[Draw], not_counting: frozenset[str]) -> list[Draw]:
    order = (d.at, d.rid)
    total = d.per == Period.TOTAL.value
    key = None if total else _key(d.per, d.at, d.tz)
    earlier = []
    for e in group:
        if (e.at, e.rid) >= order:
            break
        if e.rid in not_counting:
            continue
        if total or _key(d.per, e.at, d.tz) == key:
            earlier.append(e)
    return earlier


def _exceeded(d: Draw, used_before: int, earlier: list[Draw]) -> dict[str, Any]:
    bounds = period_bounds(Period(d.per), d.at, zone(d.tz))
    return {
        "ent": d.ent, "unit": d.unit, "lim": d.lim, "per": d.per, "once": d.once,
        "used_before": used_before, "drawn": d.used,
        "period_start": bounds[0] if bounds else None,
        "period_end": bounds[1] if bounds else None,
        "earlier": [e.rid for e in earlier[-MAX_EARLIER_LISTED:]],
    }
