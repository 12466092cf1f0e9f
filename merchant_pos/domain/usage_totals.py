"""Usage as running totals: what a beneficiary drew, per entitlement and period bucket.

The quote (spec section 5) needs, per active entitlement, only the fen or units
drawn in the period holding ``now`` and, for a single-use voucher, whether any
record exists. Running totals keep exactly that per (entitlement, bucket), so a
quote reads a handful of numbers whatever the history:

- a *shape* per entitlement: the period kind and time zone its buckets were
  computed for (``per is None``: records exist but are not bucketed), and the
  count of all its records;
- a *bucket* per (entitlement, period start): ``[start, end)``, amount, units
  and record count. ``total`` has one bucket, start = end = 0.

:meth:`UsageTotals.usage_at` turns the buckets the quote needs into a short
usage list that gives the quote exactly what the full list gives
(:func:`~merchant_pos.domain.quote.remaining_at` is unchanged); it returns
None when the scanned code's period kind or zone differs from a shape, and the
caller then quotes from the draws. :meth:`UsageTotals.replay` builds the totals
from the records (migration, consistency check, tests).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from merchant_pos.domain.claims import TOTAL, Claims, Period, zone
from merchant_pos.domain.frozen import fast_init
from merchant_pos.domain.periods import period_bounds
from merchant_pos.domain.quote import UsageRecord


@fast_init
@dataclass(frozen=True, slots=True)
class Shape:
    """The period kind and IANA zone an entitlement's buckets are for, and its record
    count over all time; ``per`` None: its records are counted but not bucketed."""

    per: Period | None
    tz: str
    records: int = 0


@fast_init
@dataclass(frozen=True, slots=True)
class Bucket:
    end: int
    amount: int
    units: int
    records: int


BucketKey = tuple[str, int]  # (entitlement id, period start)
ReadBucket = Callable[[str, Period, str, int], Bucket | None]


def bucket_span(per: Period, at: int, tz: str) -> tuple[int, int]:
    """``[start, end)`` of the bucket holding ``at``; ``(0, 0)`` for ``total``."""
    bounds = period_bounds(per, at, zone(tz))
    return (0, 0) if bounds is None else bounds


def usage_at(claims: Claims, now: int, shapes: Mapping[str, Shape],
             read_bucket: ReadBucket) -> list[UsageRecord] | None:
    """The usage that decides the quote at ``now``: one record per active entitlement with
    a non-empty bucket of the period holding ``now`` (at the period's start). None when an
    active entitlement's totals were computed for another period kind or zone."""
    out: list[UsageRecord] = []
    tz_name = claims.tz
    tz = zone(tz_name)
    for ent in claims.ent:
        if (ent.active_from is not None and now < ent.active_from) or (
                ent.until is not None and now >= ent.until):
            continue  # Entitlement.is_active, inline
        shape = shapes.get(ent.id)
        if shape is None or shape.records == 0:
            continue  # nothing ever drawn (or all of it withdrawn)
        per = ent.per
        if shape.per is not per or shape.tz != tz_name:
            return None
        if per is TOTAL:
            start = end = 0
        elif ent.once:
            return None  # claims never allow it; the draws decide if they ever do
        else:
            bounds = period_bounds(per, now, tz)
            assert bounds is not None
            start, end = bounds
        bucket = read_bucket(ent.id, per, tz_name, start)
        if bucket is None or bucket.records == 0:
            continue
        if bucket.end != end:
            return None  # a bucket computed with other zone rules: do not trust it
        out.append(UsageRecord(ent.id, bucket.amount, bucket.units, start, ""))
    return out


@dataclass
class UsageTotals:
    """Totals of one beneficiary in memory (the ledger keeps the same in two tables)."""

    shapes: dict[str, Shape] = field(default_factory=dict)
    buckets: dict[BucketKey, Bucket] = field(default_factory=dict)

    def add(self, rec: UsageRecord, sign: int = 1, shape: tuple[Period, str] | None = None
            ) -> None:
        """Count ``rec`` in (sign 1) or out (sign -1). A first record of an entitlement
        takes ``shape`` (None: counted, not bucketed)."""
        old = self.shapes.get(rec.ent)
        if old is None:
            per, tz = shape if shape is not None else (None, "")
            old = Shape(per, tz)
        self.shapes[rec.ent] = Shape(old.per, old.tz, old.records + sign)
        if old.per is None:
            return
        start, end = bucket_span(old.per, rec.at, old.tz)
        key = (rec.ent, start)
        b = self.buckets.get(key) or Bucket(end, 0, 0, 0)
        new = Bucket(end, b.amount + sign * rec.amount, b.units + sign * rec.units,
                     b.records + sign)
        if new.records == 0 and new.amount == 0 and new.units == 0:
            self.buckets.pop(key, None)
        else:
            self.buckets[key] = new

    @classmethod
    def replay(cls, usage: Iterable[UsageRecord],
               shapes: Mapping[str, tuple[Period | None, str]]) -> UsageTotals:
        """The totals of ``usage`` bucketed for ``shapes`` (entitlement id -> (per, tz));
        an entitlement missing from ``shapes`` is counted, not bucketed."""
        out = cls()
        for rec in usage:
            if rec.ent not in out.shapes:
                per, tz = shapes.get(rec.ent, (None, ""))
                out.shapes[rec.ent] = Shape(per, tz if per is not None else "")
            out.add(rec)
        return out

    def usage_at(self, claims: Claims, now: int) -> list[UsageRecord] | None:
        def read(ent: str, per: Period, tz: str, start: int) -> Bucket | None:
            return self.buckets.get((ent, start))
        return usage_at(claims, now, self.shapes, read)


def shapes_of(claims: Claims) -> dict[str, tuple[Period | None, str]]:
    """Entitlement id -> (period kind, zone) as this code defines them."""
    return {e.id: (e.per, claims.tz) for e in claims.ent}


__all__ = ["Bucket", "BucketKey", "Shape", "UsageTotals", "bucket_span", "shapes_of",
           "usage_at"]
