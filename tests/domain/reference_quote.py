"""The quote as it was before the fast path (commit 83899c7), kept verbatim as the
reference the fast quote is tested against (tests/domain/test_properties.py)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from merchant_pos.domain.claims import Claims, Entitlement, Unit
from merchant_pos.domain.periods import period_bounds
from merchant_pos.domain.quote import (
    CATEGORY_NOT_COVERED,
    LIMIT_REACHED,
    NOT_ACTIVE,
    CartLine,
    LineQuote,
    Quote,
    UsageRecord,
)

_MIN_EPOCH, _MAX_EPOCH = -(2**63), 2**63


def _candidate_order(ent: Entitlement) -> tuple[int, int, int, str]:
    return (len(ent.cat), 0 if ent.until is not None else 1, ent.until or 0, ent.id)


def remaining_at(claims: Claims, now: int, usage: Iterable[UsageRecord]) -> dict[str, int]:
    """Remaining (fen or units) of every entitlement active at ``now``."""
    tz = claims.zone
    active = [e for e in claims.ent if e.is_active(now)]
    # Per active entitlement: (counts units?, period start, period end, single use?).
    # One pass over the usage with a tuple look-up each: the quote's hot path.
    window: dict[str, tuple[bool, int, int, bool]] = {}
    for e in active:
        span = period_bounds(e.per, now, tz) or (_MIN_EPOCH, _MAX_EPOCH)
        window[e.id] = (e.unit is Unit.COUNT, span[0], span[1], e.once)
    used = dict.fromkeys(window, 0)
    opened: set[str] = set()
    get = window.get
    for rec in usage:
        ent_id = rec.ent
        spec = get(ent_id)
        if spec is None:
            continue
        if spec[3]:
            opened.add(ent_id)
        if spec[1] <= rec.at < spec[2]:
            used[ent_id] += rec.units if spec[0] else rec.amount
    return {
        e.id: 0 if e.id in opened else max(0, e.lim - used[e.id])
        for e in active
    }


def quote(
    claims: Claims, now: int, cart: Sequence[CartLine], usage: Iterable[UsageRecord] = ()
) -> Quote:
    """Covered and paid amounts of ``cart`` for the code's entitlements at ``now``."""
    remaining = remaining_at(claims, now, usage)
    active = sorted((e for e in claims.ent if e.id in remaining), key=_candidate_order)
    lines: list[LineQuote] = []
    covered_total = 0
    for line in cart:
        uncovered, units_left = line.amount, line.qty
        draws: dict[str, int] = {}
        units: dict[str, int] = {}
        for ent in active:
            if uncovered == 0:
                break
            if line.cat not in ent.cat:
                continue
            rem = remaining[ent.id]
            if ent.unit is Unit.FEN:
                draw = min(rem, uncovered)
                if draw == 0:
                    continue
                remaining[ent.id] = rem - draw
            else:
                k = min(rem, units_left)
                if k == 0:
                    continue
                assert ent.val is not None
                draw = min(k * ent.val, uncovered)
                remaining[ent.id] = rem - k
                units_left -= k
                units[ent.id] = k
            draws[ent.id] = draw
            uncovered -= draw
        covered = line.amount - uncovered
        covered_total += covered
        reason = None if covered else _reason(claims, line.cat, remaining)
        lines.append(LineQuote(line, covered, draws, units, reason))
    return Quote(tuple(lines), covered_total, sum(line.amount for line in cart))


def _reason(claims: Claims, cat: str, remaining: dict[str, int]) -> str:
    naming = [e for e in claims.ent if cat in e.cat]
    if not naming:
        return CATEGORY_NOT_COVERED
    if not any(e.id in remaining for e in naming):
        return NOT_ACTIVE
    return LIMIT_REACHED
