"""Usage as running totals in the ledger (issue 14): constant-time quotes at any history.

Two tables hold what :mod:`merchant_pos.domain.usage_totals` describes:
``usage_totals_shape`` (per beneficiary and entitlement: period kind, zone,
record count) and ``usage_totals`` (per period bucket: amount, units, record
count). They are derived from the draws: what counts is exactly what
:func:`merchant_pos.store.usage.usage_for` returns, i.e. per redemption id our
own draws, or the server's records once it booked the redemption, or nothing
once it is voided here or rejected (:func:`counted_sql`).

Every writer of draws, usage records or redemption status wraps its change in
:func:`tracked` (same transaction): it reads what the touched redemption ids
counted before and after and applies the difference. :func:`rebuild` replays
all of it from the draws (the migration), :func:`check` compares the tables
with a replay (``audit verify``: the counter's disk may be edited).
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from merchant_pos.domain.claims import Claims, Period
from merchant_pos.domain.quote import UsageRecord
from merchant_pos.domain.usage_totals import (
    Bucket,
    Shape,
    UsageTotals,
    bucket_span,
    usage_at,
)
from merchant_pos.store.audit_findings import Finding, FindingId

# Our draws count unless the redemption was voided here or rejected by the server
# (a rejected redemption drew nothing from the entitlement on the server's books).
NOT_COUNTED = ("voided", "rejected")
# Redemptions the server has booked: its records for them replace our draws.
BOOKED = ("accepted", "conflict")


def counted_sql(draws_where: str, records_where: str) -> str:
    """The counted usage records (iss, sub, ent, amount, units, at, rid) among the draws
    and server records the two conditions select (on ``d.`` and ``u.``)."""
    return f"""
SELECT d.iss, d.sub, d.ent, d.amount, d.units, d.at, d.redemption_id
  FROM redemption_draws AS d JOIN redemptions AS r ON r.id = d.redemption_id
 WHERE {draws_where} AND r.status NOT IN {NOT_COUNTED!r}
   AND NOT (r.status IN {BOOKED!r}
            AND EXISTS (SELECT 1 FROM usage_records AS s WHERE s.rid = r.id))
UNION ALL
SELECT u.iss, u.sub, u.ent, u.amount, u.units, u.at, u.rid
  FROM usage_records AS u
 WHERE {records_where}
   AND NOT EXISTS (SELECT 1 FROM redemptions AS r
                    WHERE r.id = u.rid AND r.status NOT IN {BOOKED!r})
"""


Row = tuple[str, str, str, int, int, int, str]  # iss, sub, ent, amount, units, at, rid

_BY_RIDS = counted_sql("d.redemption_id IN (SELECT value FROM json_each(:rids))",
                       "u.rid IN (SELECT value FROM json_each(:rids))")
_ALL = counted_sql("1", "1")
BY_BENEFICIARY = counted_sql("d.iss = :iss AND d.sub = :sub", "u.iss = :iss AND u.sub = :sub")

_SHAPES = "SELECT ent, per, tz, records FROM usage_totals_shape WHERE iss = ? AND sub = ?"
_SHAPE = "SELECT per, tz FROM usage_totals_shape WHERE iss = ? AND sub = ? AND ent = ?"
_BUCKET = ("SELECT period_end, amount, units, records FROM usage_totals WHERE iss = ?"
           " AND sub = ? AND ent = ? AND period_start = ? AND per = ? AND tz = ?")
_INSERT_SHAPE = ("INSERT INTO usage_totals_shape (iss, sub, ent, per, tz, records)"
                 " VALUES (?, ?, ?, ?, ?, ?)")
_BUMP_SHAPE = ("UPDATE usage_totals_shape SET records = records + ?"
               " WHERE iss = ? AND sub = ? AND ent = ?")
_UPSERT_BUCKET = (
    "INSERT INTO usage_totals (iss, sub, ent, period_start, per, tz, period_end, amount,"
    " units, records) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (iss, sub, ent, period_start) DO UPDATE SET"
    " amount = amount + excluded.amount, units = units + excluded.units,"
    " records = records + excluded.records")
_DROP_EMPTY = ("DELETE FROM usage_totals WHERE iss = ? AND sub = ? AND ent = ?"
               " AND period_start = ? AND records = 0 AND amount = 0 AND units = 0")


def _period(value: str | None) -> Period | None:
    return None if value is None else Period(value)


def read_shapes(db: sqlite3.Connection, iss: str, sub: str) -> dict[str, Shape]:
    return {ent: Shape(_period(per), tz, records)
            for ent, per, tz, records in db.execute(_SHAPES, (iss, sub))}


def usage_now(db: sqlite3.Connection, claims: Claims, now: int
              ) -> tuple[list[UsageRecord], dict[str, Shape]]:
    """The usage that decides a quote of ``claims`` at ``now``: from the totals (a few rows),
    or from the draws when a bucket was computed for another period kind or zone."""
    iss, sub = claims.iss, claims.sub
    shapes = read_shapes(db, iss, sub)

    def read(ent: str, per: Period, tz: str, start: int) -> Bucket | None:
        row = db.execute(_BUCKET, (iss, sub, ent, start, per.value, tz)).fetchone()
        return None if row is None else Bucket(*row)

    usage = usage_at(claims, now, shapes, read)
    if usage is None:
        usage = _records(db.execute(BY_BENEFICIARY, {"iss": iss, "sub": sub}))
    return usage, shapes


def _records(rows: Iterable[Row]) -> list[UsageRecord]:
    return [UsageRecord(ent, amount, units, at, rid)
            for _iss, _sub, ent, amount, units, at, rid in rows]


def _apply(db: sqlite3.Connection, rows: Mapping[Row, int]) -> None:
    """Count ``rows`` (row -> +n / -n) into the totals."""
    shapes: dict[tuple[str, str, str], tuple[str | None, str] | None] = {}
    for (iss, sub, ent, amount, units, at, _rid), n in rows.items():
        if n == 0:
            continue
        key = (iss, sub, ent)
        if key not in shapes:
            shapes[key] = db.execute(_SHAPE, key).fetchone()
        shape = shapes[key]
        if shape is None:  # not seen before: counted, not bucketed, until a code shapes it
            db.execute(_INSERT_SHAPE, (iss, sub, ent, None, "", n))
            shapes[key] = (None, "")
            continue
        db.execute(_BUMP_SHAPE, (n, iss, sub, ent))
        per, tz = shape
        if per is None:
            continue
        start, end = bucket_span(Period(per), at, tz)
        db.execute(_UPSERT_BUCKET, (iss, sub, ent, start, per, tz, end, n * amount,
                                    n * units, n))
        if n < 0:
            db.execute(_DROP_EMPTY, (iss, sub, ent, start))


def counted(db: sqlite3.Connection, rids: Sequence[str]) -> Counter[Row]:
    """What the redemption ids ``rids`` count now, as a multiset of rows."""
    return Counter(db.execute(_BY_RIDS, {"rids": json.dumps(list(rids))}))


@contextmanager
def tracked(db: sqlite3.Connection, rids: Iterable[str]) -> Iterator[None]:
    """Inside the caller's write transaction: the block changes draws, server records or
    statuses of ``rids`` (and nothing else); the totals follow, in the same transaction."""
    ids = sorted(set(rids))
    before = counted(db, ids) if ids else Counter()
    yield
    if not ids:
        return
    after = counted(db, ids)
    diff = {row: after[row] - before[row] for row in after.keys() | before.keys()}
    _apply(db, diff)


def ensure_shapes(db: sqlite3.Connection, claims: Claims, shapes: Mapping[str, Shape]) -> None:
    """Before a redemption of ``claims`` writes: every entitlement of the code gets totals
    bucketed as the code defines them (re-bucketed from the draws if they were not)."""
    iss, sub = claims.iss, claims.sub
    for ent in claims.ent:
        have = shapes.get(ent.id)
        if have is None:
            db.execute(_INSERT_SHAPE, (iss, sub, ent.id, ent.per.value, claims.tz, 0))
        elif have.per is not ent.per or have.tz != claims.tz:
            _reshape(db, iss, sub, ent.id, ent.per, claims.tz)


def _reshape(db: sqlite3.Connection, iss: str, sub: str, ent: str, per: Period,
             tz: str) -> None:
    """Re-bucket one entitlement's totals for (per, tz) from the draws (rare: a code
    with another period kind or zone, or records that arrived before any code)."""
    usage = [u for u in _records(db.execute(BY_BENEFICIARY, {"iss": iss, "sub": sub}))
             if u.ent == ent]
    db.execute("DELETE FROM usage_totals WHERE iss = ? AND sub = ? AND ent = ?",
               (iss, sub, ent))
    db.execute("DELETE FROM usage_totals_shape WHERE iss = ? AND sub = ? AND ent = ?",
               (iss, sub, ent))
    _write(db, iss, sub, UsageTotals.replay(usage, {ent: (per, tz)}))
    if not usage:
        db.execute(_INSERT_SHAPE, (iss, sub, ent, per.value, tz, 0))


def _write(db: sqlite3.Connection, iss: str, sub: str, totals: UsageTotals) -> None:
    db.executemany(_INSERT_SHAPE, [
        (iss, sub, ent, None if s.per is None else s.per.value, s.tz, s.records)
        for ent, s in totals.shapes.items()])
    db.executemany(_UPSERT_BUCKET, [
        (iss, sub, ent, start, per.value, s.tz, b.end, b.amount, b.units, b.records)
        for (ent, start), b in totals.buckets.items()
        for s in (totals.shapes[ent],) for per in (s.per,) if per is not None])


Beneficiary = tuple[str, str]
ShapeHints = Mapping[tuple[str, str, str], tuple[Period | None, str]]


def replay(db: sqlite3.Connection, hints: ShapeHints) -> dict[Beneficiary, UsageTotals]:
    """The totals the draws and records give, bucketed for ``hints``
    ((iss, sub, ent) -> (per, tz); an entitlement without a hint is not bucketed)."""
    by_ben: dict[Beneficiary, list[UsageRecord]] = {}
    for iss, sub, ent, amount, units, at, rid in db.execute(_ALL):
        by_ben.setdefault((iss, sub), []).append(UsageRecord(ent, amount, units, at, rid))
    out: dict[Beneficiary, UsageTotals] = {}
    for (iss, sub), usage in by_ben.items():
        ents = {u.ent for u in usage}
        out[(iss, sub)] = UsageTotals.replay(usage, {
            e: hints[(iss, sub, e)] for e in ents if (iss, sub, e) in hints})
    return out


def stored_shapes(db: sqlite3.Connection) -> dict[tuple[str, str, str], tuple[Period | None, str]]:
    return {(iss, sub, ent): (_period(per), tz) for iss, sub, ent, per, tz in db.execute(
        "SELECT iss, sub, ent, per, tz FROM usage_totals_shape")}


def snapshot_shapes(db: sqlite3.Connection) -> dict[tuple[str, str, str],
                                                     tuple[Period | None, str]]:
    """(iss, sub, ent) -> (per, tz) as the latest receipt snapshot of each beneficiary
    defines them (the migration's guess of which codes will be scanned next)."""
    out: dict[tuple[str, str, str], tuple[Period | None, str]] = {}
    rows = db.execute("SELECT iss, sub, receipt_snapshot FROM redemptions WHERE"
                      " receipt_snapshot IS NOT NULL ORDER BY created_at, receipt_no")
    for iss, sub, text in rows:
        try:
            snap = json.loads(text)
            tz = str(snap.get("tz") or "Asia/Shanghai")
            for ent in snap["ent"]:
                out[(iss, sub, str(ent["id"]))] = (Period(ent["per"]), tz)
        except (ValueError, KeyError, TypeError, AttributeError):
            continue  # a damaged snapshot: that entitlement stays unbucketed
    return out


def rebuild(db: sqlite3.Connection, hints: ShapeHints | None = None) -> int:
    """Inside the caller's write transaction: replace the totals by a replay of the draws
    (``hints`` default: the shapes stored now). Returns the beneficiaries written."""
    shapes = stored_shapes(db) if hints is None else hints
    totals = replay(db, shapes)
    db.execute("DELETE FROM usage_totals")
    db.execute("DELETE FROM usage_totals_shape")
    for (iss, sub), t in totals.items():
        _write(db, iss, sub, t)
    return len(totals)


def check(db: sqlite3.Connection) -> list[Finding]:
    """The stored totals against a replay of the draws under the stored shapes: one
    finding per (beneficiary, entitlement) that differs (read-only)."""
    expected = replay(db, stored_shapes(db))
    stored_s: dict[tuple[str, str, str], tuple[str | None, str, int]] = {
        (iss, sub, ent): (per, tz, n) for iss, sub, ent, per, tz, n in db.execute(
            "SELECT iss, sub, ent, per, tz, records FROM usage_totals_shape")}
    stored_b: dict[tuple[str, str, str], dict[int, tuple[str, str, int, int, int, int]]] = {}
    for iss, sub, ent, start, per, tz, end, amount, units, n in db.execute(
            "SELECT iss, sub, ent, period_start, per, tz, period_end, amount, units, records"
            " FROM usage_totals"):
        stored_b.setdefault((iss, sub, ent), {})[start] = (per, tz, end, amount, units, n)
    want_b: dict[tuple[str, str, str], dict[int, tuple[str, str, int, int, int, int]]] = {}
    want_n: dict[tuple[str, str, str], int] = {}
    for (iss, sub), t in expected.items():
        for ent, s in t.shapes.items():
            want_n[(iss, sub, ent)] = s.records
        for (ent, start), b in t.buckets.items():
            s = t.shapes[ent]
            assert s.per is not None
            want_b.setdefault((iss, sub, ent), {})[start] = (
                s.per.value, s.tz, b.end, b.amount, b.units, b.records)
    bad = sorted(k for k in stored_s.keys() | want_n.keys() | stored_b.keys()
                 if want_n.get(k, 0) != (stored_s[k][2] if k in stored_s else 0)
                 or (k in want_n and k not in stored_s)
                 or want_b.get(k, {}) != stored_b.get(k, {}))
    return [Finding(FindingId.USAGE_TOTALS_DIFFER, None, "/".join(k)) for k in bad]


__all__ = ["BOOKED", "BY_BENEFICIARY", "NOT_COUNTED", "Bucket", "check", "counted",
           "counted_sql", "ensure_shapes", "read_shapes", "rebuild", "replay",
           "snapshot_shapes", "stored_shapes", "tracked", "usage_now"]
