"""The quote: how much of a cart a verified code covers (spec section 5).

A pure function of (claims, now, cart, usage): no clock, no I/O. Integer fen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from merchant_pos.domain.claims import COUNT, FEN, TOTAL, Claims, Entitlement, Period
from merchant_pos.domain.frozen import fast_init
from merchant_pos.domain.periods import period_bounds

CATEGORY_NOT_COVERED = "category_not_covered"
NOT_ACTIVE = "not_active"
LIMIT_REACHED = "limit_reached"

MAX_LINE_AMOUNT = 10**12  # fen: far above any real line, well inside int64
MAX_QTY = 10**6
_MIN_EPOCH, _MAX_EPOCH = -(2**63), 2**63


class QuoteInputError(ValueError):
    """A cart line or usage record that does not have the expected shape."""


def _int(value: Any, what: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise QuoteInputError(f"{what} must be an integer in [{lo}, {hi}], got {value!r}")
    return value


@fast_init
@dataclass(frozen=True, slots=True)
class CartLine:
    cat: str
    amount: int
    qty: int = 1

    def __post_init__(self) -> None:
        if not isinstance(self.cat, str) or not self.cat:
            raise QuoteInputError("a cart line needs a category")
        _int(self.amount, "amount", 1, MAX_LINE_AMOUNT)
        _int(self.qty, "qty", 1, MAX_QTY)

    @classmethod
    def from_json(cls, raw: Any) -> CartLine:
        if not isinstance(raw, dict):
            raise QuoteInputError("a cart line is an object {cat, amount, qty}")
        return cls(raw.get("cat"), raw.get("amount"), raw.get("qty", 1))  # type: ignore[arg-type]


@fast_init
@dataclass(frozen=True, slots=True)
class UsageRecord:
    """What one redemption drew from one entitlement of one beneficiary."""

    ent: str
    amount: int
    units: int
    at: int
    rid: str

    @classmethod
    def from_json(cls, raw: Any) -> UsageRecord:
        if not isinstance(raw, dict):
            raise QuoteInputError("a usage record is an object {ent, amount, units, at, rid}")
        ent, rid = raw.get("ent"), raw.get("rid", "")
        if not isinstance(ent, str) or not isinstance(rid, str):
            raise QuoteInputError("usage ent and rid must be strings")
        return cls(
            ent,
            _int(raw.get("amount", 0), "usage amount", 0, 2**63 - 1),
            _int(raw.get("units", 0), "usage units", 0, 2**63 - 1),
            _int(raw.get("at"), "usage at", -(2**63), 2**63 - 1),
            rid,
        )

    def to_json(self) -> dict[str, Any]:
        return {"ent": self.ent, "amount": self.amount, "units": self.units,
                "at": self.at, "rid": self.rid}


@fast_init
@dataclass(frozen=True, slots=True)
class LineQuote:
    line: CartLine
    covered: int
    draws: dict[str, int] = field(default_factory=dict)
    units: dict[str, int] = field(default_factory=dict)
    reason: str | None = None

    @property
    def pays(self) -> int:
        return self.line.amount - self.covered

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"covered": self.covered, "draws": dict(self.draws),
                               "units": dict(self.units)}
        if self.reason is not None:
            out["reason"] = self.reason
        return out


@fast_init
@dataclass(frozen=True, slots=True)
class Quote:
    lines: tuple[LineQuote, ...]
    covered: int
    total: int

    @property
    def pays(self) -> int:
        return self.total - self.covered

    def draws_by_entitlement(self) -> dict[str, tuple[int, int]]:
        """Entitlement id → (fen, units) drawn by the whole cart."""
        out: dict[str, tuple[int, int]] = {}
        for line in self.lines:
            for ent, fen in line.draws.items():
                old_fen, old_units = out.get(ent, (0, 0))
                out[ent] = (old_fen + fen, old_units + line.units.get(ent, 0))
        return out

    def to_json(self) -> dict[str, Any]:
        return {"covered": self.covered, "pays": self.pays,
                "lines": [line.to_json() for line in self.lines]}


def _candidate_order(ent: Entitlement) -> tuple[int, int, int, str]:
    return (len(ent.cat), 0 if ent.until is not None else 1, ent.until or 0, ent.id)


def _remaining(claims: Claims, now: int, usage: Iterable[UsageRecord]
               ) -> tuple[dict[str, int], list[Entitlement]]:
    """Remaining (fen or units) of every entitlement active at ``now``, and those
    entitlements in the order the quote draws on them."""
    tz = claims.zone
    active: list[Entitlement] = []
    # Per active entitlement: (counts units?, period start, period end, single use?).
    # One pass over the usage with a tuple look-up each: the quote's hot path.
    window: dict[str, tuple[bool, int, int, bool]] = {}
    for e in claims.ent:
        if (e.active_from is not None and now < e.active_from) or (
                e.until is not None and now >= e.until):
            continue  # Entitlement.is_active, inline
        active.append(e)
        span = (_MIN_EPOCH, _MAX_EPOCH) if e.per is TOTAL else period_bounds(e.per, now, tz)
        assert span is not None
        window[e.id] = (e.unit is COUNT, span[0], span[1], e.once)
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
    remaining = {e.id: 0 if e.id in opened else max(0, e.lim - used[e.id]) for e in active}
    if len(active) > 1:
        active.sort(key=_candidate_order)
    return remaining, active


def remaining_at(claims: Claims, now: int, usage: Iterable[UsageRecord]) -> dict[str, int]:
    """Remaining (fen or units) of every entitlement active at ``now``."""
    return _remaining(claims, now, usage)[0]


def quote(
    claims: Claims, now: int, cart: Sequence[CartLine], usage: Iterable[UsageRecord] = ()
) -> Quote:
    """Covered and paid amounts of ``cart`` for the code's entitlements at ``now``."""
    remaining, active = _remaining(claims, now, usage)
    lines: list[LineQuote] = []
    covered_total = total = 0
    for line in cart:
        cat = line.cat
        uncovered = amount = line.amount
        units_left = line.qty
        total += amount
        draws: dict[str, int] = {}
        units: dict[str, int] = {}
        for ent in active:
            if cat not in ent.cat:
                continue
            rem = remaining[ent.id]
            if rem == 0:
                continue
            if ent.unit is FEN:
                draw = rem if rem < uncovered else uncovered
                remaining[ent.id] = rem - draw
            else:
                k = rem if rem < units_left else units_left
                if k == 0:
                    continue
                assert ent.val is not None
                draw = min(k * ent.val, uncovered)
                remaining[ent.id] = rem - k
                units_left -= k
                units[ent.id] = k
            draws[ent.id] = draw
            uncovered -= draw
            if uncovered == 0:
                break
        covered = amount - uncovered
        covered_total += covered
        reason = None if covered else _reason(claims, cat, remaining)
        lines.append(LineQuote(line, covered, draws, units, reason))
    return Quote(tuple(lines), covered_total, total)


def _reason(claims: Claims, cat: str, remaining: dict[str, int]) -> str:
    """Why a line got nothing: no entitlement names its category, none that does is
    active, or the active ones are used up."""
    named = False
    for e in claims.ent:
        if cat in e.cat:
            if e.id in remaining:
                return LIMIT_REACHED
            named = True
    return NOT_ACTIVE if named else CATEGORY_NOT_COVERED


__all__ = [
    "CATEGORY_NOT_COVERED", "LIMIT_REACHED", "NOT_ACTIVE", "CartLine", "LineQuote",
    "Period", "Quote", "QuoteInputError", "UsageRecord", "quote", "remaining_at",
]
