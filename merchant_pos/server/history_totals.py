"""The history before a re-judge, from the usage totals (``server/usage_totals``).

The judge re-quotes a beneficiary's entries from the earliest change ``T`` on,
each on the usage before it. Of the history before ``T`` the quote needs, per
entitlement of an entry's code, only what was drawn in the period holding the
entry's time (or anything at all, for a single-use voucher): the totals of that
bucket, minus the draws in it at or after ``T`` (which the judge reads anyway,
they are re-judged). ``domain.usage_totals.usage_at`` turns those buckets into
one usage record per bucket (at the period's start, rid ``""``), as the counter
does; the quote then gives exactly what the full list of draws gives.

A beneficiary falls back to the draws (``ledger_history``'s windowed read) when
the totals cannot say it: an entitlement of an entry's code was drawn under
another period kind or zone (two shapes, or one that differs from the code), a
bucket's end differs from the code's period end (zone rules changed), or a
conflict would list a bucket among the redemptions drawn earlier in the period
(:func:`totals_in_conflict`: the counter's message names them; rare).

A beneficiary with a short history is read from the draws too, by choice: when
its shapes count at most :data:`SMALL_HISTORY` records in all over the entitlements
its re-judged entries use (none at all: an empty plan, it reads nothing), the
windowed read of those few draws costs less than the buckets' statement and
``usage_at`` per entry. The verdicts are the same either way (the totals are a cache).

Two statements per batch, with the same SQL text every time: the shapes of the
touched beneficiaries, and the buckets before ``T`` their entries look at (none
when no beneficiary of the batch needs a bucket).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, and_, select

from merchant_pos.domain.claims import Period
from merchant_pos.domain.quote import UsageRecord
from merchant_pos.domain.usage_totals import Bucket, Shape, bucket_span, usage_at
from merchant_pos.server.requote import Entry, Verdict
from merchant_pos.server.schema import usage_totals, usage_totals_shape
from merchant_pos.server.sql_lists import INT, TEXT, rows_table

Key = tuple[str, str]  # (iss, sub)
Order = tuple[int, str]  # (at, uuid)
Wanted = tuple[str, str, str, int]  # (ent, per, tz, period start)
TOTALS_RID = ""  # the rid of the records usage_at makes of the buckets
# At most this many records (all time, over the entitlements the re-judged entries use)
# and at least one: the draws through the window, not the totals. Measured on a shared
# 2-core machine (bench server_ingest, PostgreSQL, 5 and 20 a beneficiary, with and
# without --yearly): 16, 32 and 64 beat 0 by some 5-10 % of server CPU, within the
# noise of each other. Tests set it (0: the totals always).
SMALL_HISTORY = 32


@dataclass(frozen=True)
class TotalsPlan:
    """One beneficiary's totals before ``t``: the buckets its re-judged entries look at
    (what ``usage_at`` asked for, with the period end it computed) and those read."""

    t: int
    wanted: Mapping[Wanted, int]
    buckets: Mapping[Wanted, Bucket]

    def usage(self, recent: Iterable[UsageRecord]) -> list[UsageRecord]:
        """The usage before ``t`` the re-judged entries can see, given ``recent``: the
        counted draws at or after ``t`` (they are in the buckets' totals too). What
        ``usage_at`` gives each entry, for all of them at once: a record per bucket."""
        later: dict[str, list[UsageRecord]] = defaultdict(list)
        for rec in recent:
            later[rec.ent].append(rec)
        out = []
        for (ent, per, tz, start) in sorted(self.wanted):
            b = self.buckets.get((ent, per, tz, start))
            if b is None:
                continue
            inside = [u for u in later.get(ent, ())  # total: one bucket, (0, 0)
                      if per == Period.TOTAL.value or start <= u.at < b.end]
            if b.records - len(inside) == 0:
                continue  # all of it at or after t
            out.append(UsageRecord(ent, b.amount - sum(u.amount for u in inside),
                                   b.units - sum(u.units for u in inside), start, TOTALS_RID))
        return sorted(out, key=lambda u: (u.at, u.ent))


def plan_totals(conn: Connection, keys: list[Key], start: Mapping[Key, Order],
                entries: Mapping[Key, list[Entry]]) -> dict[Key, TotalsPlan]:
    """The beneficiaries whose history before their ``start`` the totals can give."""
    live = _read_shapes(conn, keys)
    candidates: dict[Key, dict[Wanted, int]] = {}
    for key in keys:
        t = start[key][0]
        rejudged = [e for e in entries[key] if e.rejudge]
        used = {ent.id for e in rejudged for ent in e.claims.ent}
        if any(len(live[key].get(ent, ())) > 1 for ent in used):
            continue  # drawn under two shapes: the draws decide
        records = sum(x.records for ent in used for x in live[key].get(ent, ()))
        if 0 < records <= SMALL_HISTORY:
            continue  # a short history: its few draws cost less than the buckets
        shapes = {ent: s[0] for ent, s in live[key].items() if len(s) == 1}
        wanted: dict[Wanted, int] = {}

        def collect(ent: str, per: Period, tz: str, bucket_start: int,
                    t: int = t, wanted: dict[Wanted, int] = wanted) -> Bucket | None:
            w = (ent, per.value, tz, bucket_start)
            if bucket_start < t and w not in wanted:
                wanted[w] = bucket_span(per, bucket_start, tz)[1]
            return None  # (so usage_at goes on to the next entitlement)

        # usage_at says None when a shape is not the code's: the draws decide
        if all(usage_at(e.claims, e.at, shapes, collect) is not None for e in rejudged):
            candidates[key] = wanted
    read = _read_buckets(conn, [(*key, *w) for key, ws in candidates.items()
                                for w in sorted(ws)])
    plans: dict[Key, TotalsPlan] = {}
    for key, wanted in candidates.items():
        buckets = read.get(key, {})
        # a bucket computed with other zone rules ends elsewhere: the draws decide
        if all(b.end == wanted[w] for w, b in buckets.items()):
            plans[key] = TotalsPlan(start[key][0], wanted, buckets)
    return plans


def totals_in_conflict(verdicts: Mapping[str, Verdict]) -> bool:
    """Would a conflict list a bucket among the redemptions drawn earlier in its period?"""
    return any(TOTALS_RID in x["earlier"] for v in verdicts.values() if v.conflict
               for x in v.conflict["exceeded"])


def _read_shapes(conn: Connection, keys: list[Key]) -> dict[Key, dict[str, list[Shape]]]:
    """Per key and entitlement, the shapes it has non-voided draws under."""
    s = usage_totals_shape.c
    k = rows_table(conn, "s", [("iss", TEXT), ("sub", TEXT)], keys)
    out: dict[Key, dict[str, list[Shape]]] = {key: defaultdict(list) for key in keys}
    for row in conn.execute(
        select(s.iss, s.sub, s.ent, s.per, s.tz, s.records)
        .select_from(usage_totals_shape.join(k, and_(s.iss == k.c.iss, s.sub == k.c.sub)))
        .where(s.records > 0)
    ):
        out[(row.iss, row.sub)][row.ent].append(Shape(Period(row.per), row.tz, row.records))
    return out


def _read_buckets(conn: Connection, rows: list[tuple[str, str, str, str, str, int]]
                  ) -> dict[Key, dict[Wanted, Bucket]]:
    if not rows:
        return {}
    t = usage_totals.c
    k = rows_table(conn, "b", [("iss", TEXT), ("sub", TEXT), ("ent", TEXT), ("per", TEXT),
                               ("tz", TEXT), ("start", INT)], rows)
    on = and_(t.iss == k.c.iss, t.sub == k.c.sub, t.ent == k.c.ent, t.per == k.c.per,
              t.tz == k.c.tz, t.period_start == k.c.start)
    out: dict[Key, dict[Wanted, Bucket]] = defaultdict(dict)
    for row in conn.execute(
        select(t.iss, t.sub, t.ent, t.per, t.tz, t.period_start, t.period_end, t.amount,
               t.units, t.records).select_from(usage_totals.join(k, on))
    ):
        out[(row.iss, row.sub)][(row.ent, row.per, row.tz, row.period_start)] = Bucket(
            row.period_end, row.amount, row.units, row.records)
    return out


__all__ = ["TOTALS_RID", "TotalsPlan", "plan_totals", "totals_in_conflict"]
