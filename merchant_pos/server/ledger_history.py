"""What the judge reads of the touched beneficiaries' histories, for a whole batch at once.

At most four statements per batch whatever its size, each with the same SQL text
every time (``sql_lists``: array parameters on PostgreSQL, so its prepared
statements are reused): the stored redemptions from each beneficiary's earliest
change on, the shapes and the buckets of the usage totals that give the history
before it (``history_totals``; no buckets' statement when no beneficiary needs
one), and the draws from the change on (re-judged, and subtracted from the
buckets they fall in).

Where the totals cannot say it, or a short history is cheaper read from its few
draws (``history_totals.SMALL_HISTORY``), a beneficiary's history is
read from the draws, as far back as the re-quoting can see. That follows from
the quote (``domain.quote.remaining_at`` and ``requote._exceeded``): a draw
counts only inside the period of the entitlement at the time of the entry
quoted, except that a ``once`` entitlement is used by any draw at all, and a
``total`` one has a single period. So only the draws from the earliest period
start among the entries re-judged are read (a week back, for a weekly limit),
plus every draw of its ``once`` and ``total`` entitlements (a fifth statement).
``tests/server/test_history_window.py`` and ``test_history_totals.py`` check
both against a full re-judge.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import Connection, and_, select

from merchant_pos.domain.claims import Claims
from merchant_pos.domain.periods import period_bounds
from merchant_pos.domain.quote import CartLine, UsageRecord
from merchant_pos.server.history_totals import plan_totals
from merchant_pos.server.requote import Entry, Verdict, stored_claims
from merchant_pos.server.schema import draws, redemptions
from merchant_pos.server.sql_lists import INT, TEXT, rows_table

Key = tuple[str, str]  # (iss, sub)
Order = tuple[int, str]  # (at, uuid)


@dataclass
class HistoryRow:
    """A stored redemption of the history being re-judged."""

    uuid: str
    status: str
    conflict: str | None
    quote_covered: int | None
    device_id: str
    merchant_id: str
    program_id: str
    allocation: tuple[UsageRecord, ...] = ()


@dataclass
class Judged:
    """What the re-run decided: verdicts of the new items; writes for stored ones."""

    new: dict[str, Verdict] = field(default_factory=dict)
    claims: dict[str, Claims] = field(default_factory=dict)  # rid → claims (draw rules)
    rows: dict[str, HistoryRow] = field(default_factory=dict)
    stored: dict[str, Verdict] = field(default_factory=dict)


def load_histories(conn: Connection, start: dict[Key, Order], voided: set[str],
                   new_ids: set[str], entries: dict[Key, list[Entry]], out: Judged
                   ) -> dict[Key, list[UsageRecord]]:
    """Stored redemptions from each key's ``start`` on (into ``entries``); per key, the
    usage the first of them sees (returned): from the usage totals where they can say it
    (``history_totals``), else the counted allocation of the redemptions before it."""
    if not start:
        return {}
    keys = sorted(start)
    _load_entries(conn, keys, start, new_ids, voided, entries, out)
    return read_before(conn, keys, start, voided, entries, out, totals=True)


def read_before(conn: Connection, keys: list[Key], start: dict[Key, Order], voided: set[str],
                entries: dict[Key, list[Entry]], out: Judged, *, totals: bool
                ) -> dict[Key, list[UsageRecord]]:
    """The usage before each key's ``start`` and the stored allocations of its entries
    (into ``out.rows``). ``totals`` False: from the draws only (the windowed read)."""
    plans = plan_totals(conn, keys, start, entries) if totals else {}
    windows = {key: _window(entries[key], start[key][0]) for key in keys if key not in plans}
    lo = {key: start[key][0] if key in plans else windows[key][0] for key in keys}
    recent = _read_draws(conn, "w", [(*key, lo[key], _last(entries[key])) for key in keys],
                         ">=")
    older_rows = [(*key, ent, lo[key]) for key in keys if key not in plans
                  for ent in sorted(windows[key][1])]
    older = _read_draws(conn, "o", older_rows, "<") if older_rows else {}
    before: dict[Key, list[UsageRecord]] = {}
    for key in keys:
        first = start[key]
        plan = plans.get(key)
        out_before = [] if plan is None else plan.usage(recent.get(key, ()))
        allocations: dict[str, list[UsageRecord]] = defaultdict(list)
        for rec in [*older.get(key, ()), *recent.get(key, ())]:
            if (rec.at, rec.rid) < first:
                if rec.rid not in voided:
                    out_before.append(rec)
            elif rec.rid in out.rows:
                allocations[rec.rid].append(rec)
        for rid, recs in allocations.items():
            out.rows[rid].allocation = tuple(recs)
        before[key] = out_before
    return before


def _load_entries(conn: Connection, keys: list[Key], start: dict[Key, Order], new_ids: set[str],
                  voided: set[str], entries: dict[Key, list[Entry]], out: Judged) -> None:
    r = redemptions.c
    k = rows_table(conn, "k", [("iss", TEXT), ("sub", TEXT), ("first_at", INT)],
                   [(*key, start[key][0]) for key in keys])
    rows = conn.execute(
        select(r.uuid, r.iss, r.sub, r.at, r.status, r.conflict, r.quote_covered, r.voided_by,
               r.device_id, r.merchant_id, r.program_id, r.body)
        .select_from(redemptions.join(k, and_(r.iss == k.c.iss, r.sub == k.c.sub,
                                              r.at >= k.c.first_at)))
        .where(r.kind == "redemption", r.status.in_(("accepted", "conflict"))))
    for row in rows:
        key = (row.iss, row.sub)
        if (row.at, row.uuid) < start[key] or row.uuid in new_ids:
            continue
        entries[key].append(_stored_entry(row, voided))
        out.claims[row.uuid] = entries[key][-1].claims
        out.rows[row.uuid] = HistoryRow(row.uuid, row.status, row.conflict, row.quote_covered,
                                        row.device_id, row.merchant_id, row.program_id or "")


def _stored_entry(row: object, voided: set[str]) -> Entry:
    claims, cart, covered, counter = _parsed_body(row.body)  # type: ignore[attr-defined]
    uuid: str = row.uuid  # type: ignore[attr-defined]
    is_voided = row.voided_by is not None or uuid in voided  # type: ignore[attr-defined]
    return Entry(uuid, row.at, claims, cart, covered, counter,  # type: ignore[attr-defined]
                 voided=is_voided, rejudge=not is_voided)


@lru_cache(maxsize=20_000)
def _parsed_body(body: str) -> tuple[Claims, tuple[CartLine, ...], tuple[int, ...],
                                     dict[str, tuple[int, int]]]:
    """A stored item's cart as the judge reads it. Keyed by the body itself: a late
    arrival re-judges the same stored redemptions batch after batch. (The counter's
    draws are only read, never changed, by the judge.)"""
    parsed = json.loads(body)
    lines = parsed["lines"]
    counter: dict[str, tuple[int, int]] = {}
    for line in lines:
        for ent, fen in line.get("draws", {}).items():
            old = counter.get(ent, (0, 0))
            counter[ent] = (old[0] + fen, old[1] + line.get("units", {}).get(ent, 0))
    return (stored_claims(parsed["code"]),
            tuple(CartLine(x["cat"], x["amount"], x.get("qty", 1)) for x in lines),
            tuple(x["covered"] for x in lines), counter)


def _window(entries: Iterable[Entry], first_at: int) -> tuple[int, set[str]]:
    """(earliest period start the re-judged entries look at, the entitlements whose
    draws count at any age: ``once`` or ``total``)."""
    cutoff = first_at
    whole: set[str] = set()
    for e in entries:
        if not e.rejudge:
            continue
        zone = e.claims.zone
        for ent in e.claims.ent:
            bounds = period_bounds(ent.per, e.at, zone)
            if bounds is None or ent.once:
                whole.add(ent.id)  # read whole: its period needs no earlier cutoff
            elif bounds[0] < cutoff:
                cutoff = bounds[0]
    return cutoff, whole


def _read_draws(conn: Connection, name: str, rows: Sequence[tuple[str, str, str | int, int]],
                op: str) -> dict[Key, list[UsageRecord]]:
    """Counted draws per key, in (time, redemption, entitlement) order. ``op`` ``>=``:
    rows are (iss, sub, from, to); ``<``: (iss, sub, entitlement, before)."""
    d = draws.c
    if op == ">=":
        k = rows_table(conn, name, [("iss", TEXT), ("sub", TEXT), ("lo", INT), ("hi", INT)],
                       rows)
        on = and_(d.iss == k.c.iss, d.sub == k.c.sub, d.at >= k.c.lo, d.at <= k.c.hi)
    else:
        k = rows_table(conn, name, [("iss", TEXT), ("sub", TEXT), ("ent", TEXT), ("hi", INT)],
                       rows)
        on = and_(d.iss == k.c.iss, d.sub == k.c.sub, d.ent == k.c.ent, d.at < k.c.hi)
    out: dict[Key, list[UsageRecord]] = defaultdict(list)
    for dr in conn.execute(
        select(d.iss, d.sub, d.rid, d.ent, d.amount, d.units, d.at)
        .select_from(draws.join(k, on)).where(d.voided.is_(False))
        .order_by(d.iss, d.sub, d.at, d.rid, d.ent)
    ):
        out[(dr.iss, dr.sub)].append(UsageRecord(dr.ent, dr.amount, dr.units, dr.at, dr.rid))
    return out


def _last(entries: list[Entry]) -> int:
    return max(e.at for e in entries) if entries else 0
