"""Running usage totals of the server's draws (issue 14): a cache of the judge.

Two tables (``schema.usage_totals_shape`` and ``schema.usage_totals``) hold,
per beneficiary and entitlement and per *shape* (the period kind and IANA zone
the drawing code gave it), the record count over all time, and per period
bucket of that shape (``domain.usage_totals.bucket_span``) the amount, units
and record count of the non-voided draws. ``ledger_history`` reads them for the
part of a history before the earliest re-judged entry instead of every draw.

Every writer of ``draws`` (new redemptions, the re-judge's re-allocations,
voids; all in ``ingest``) counts what it adds and withdraws into a
:class:`Deltas` and flushes it in the same transaction, so the totals always
equal a replay of the draws (:func:`replay`, :func:`stored`); the beneficiary
locks of ``ingest`` keep concurrent workers off the same rows.
:func:`rebuild` replays them from the draws (migration 0005_n14d_usage_totals,
``merchant-pos-server totals check --repair``). The three take an optional range of
beneficiaries (``after`` < (iss, sub) <= ``upto``), so a large ledger can be read a
range at a time (``server/totals_check``).
Buckets that drop back to nothing are kept as zero rows (they count as nothing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, delete, literal, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite

from merchant_pos.domain.claims import Period
from merchant_pos.domain.usage_totals import bucket_span
from merchant_pos.server.schema import draws, usage_totals, usage_totals_shape
from merchant_pos.server.sql_lists import rows_table

ShapeKey = tuple[str, str, str, str, str]  # iss, sub, ent, per, tz
BucketKey = tuple[str, str, str, str, str, int]  # iss, sub, ent, per, tz, period start
BucketValue = tuple[int, int, int, int]  # period end, amount, units, records
Beneficiary = tuple[str, str]  # iss, sub
SHAPE_COLUMNS = ("iss", "sub", "ent", "per", "tz")


@dataclass
class Deltas:
    """What one transaction adds to (+) and withdraws from (-) the totals."""

    shapes: dict[ShapeKey, int] = field(default_factory=dict)
    buckets: dict[BucketKey, list[int]] = field(default_factory=dict)  # [end, fen, units, n]

    def count(self, rows: Iterable[Mapping[Any, Any]], sign: int = 1) -> None:
        """Count draw rows (``draws`` columns; voided ones count for nothing)."""
        for r in rows:
            if r["voided"]:
                continue
            shape: ShapeKey = (r["iss"], r["sub"], r["ent"], r["per"], r["tz"])
            self.shapes[shape] = self.shapes.get(shape, 0) + sign
            start, end = bucket_span(Period(r["per"]), r["at"], r["tz"])
            b = self.buckets.setdefault((*shape, start), [end, 0, 0, 0])
            b[1] += sign * r["amount"]
            b[2] += sign * r["units"]
            b[3] += sign

    def flush(self, conn: Connection) -> None:
        """Apply the deltas (one upsert per table) and start again from nothing."""
        shape_rows = [dict(zip(SHAPE_COLUMNS, k, strict=True), records=n)
                      for k, n in sorted(self.shapes.items()) if n]
        bucket_rows = [dict(zip(SHAPE_COLUMNS, k[:5], strict=True), period_start=k[5],
                            period_end=b[0], amount=b[1], units=b[2], records=b[3])
                       for k, b in sorted(self.buckets.items()) if any(b[1:])]
        _upsert(conn, usage_totals_shape, shape_rows, ("records",))
        _upsert(conn, usage_totals, bucket_rows, ("amount", "units", "records"))
        self.shapes.clear()
        self.buckets.clear()


def _upsert(conn: Connection, table: Table, rows: list[dict[str, Any]],
            adds: tuple[str, ...]) -> None:
    """Add ``rows`` to ``table`` (``adds``: the columns summed on a key already there).
    PostgreSQL: one statement over ``unnest`` arrays (the same text for any number of
    rows); SQLite: executemany of one row's upsert."""
    if not rows:
        return
    keys = [c.name for c in table.primary_key.columns]
    if conn.dialect.name == "postgresql":
        cols = list(rows[0])
        k = rows_table(conn, f"add_{table.name}", [(c, table.c[c].type) for c in cols],
                       [tuple(r[c] for c in cols) for r in rows])
        pg = postgresql.insert(table).from_select(cols, select(*(k.c[c] for c in cols)))
        conn.execute(pg.on_conflict_do_update(
            index_elements=keys, set_={c: table.c[c] + pg.excluded[c] for c in adds}))
        return
    lite = sqlite.insert(table)
    conn.execute(lite.on_conflict_do_update(
        index_elements=keys, set_={c: table.c[c] + lite.excluded[c] for c in adds}), rows)


def within(table: Table, after: Beneficiary | None = None, upto: Beneficiary | None = None
           ) -> list[ColumnElement[bool]]:
    """The rows of ``table`` whose beneficiary is in ``after < (iss, sub) <= upto``
    (no bound when None; row values, which the ``(iss, sub, ...)`` keys serve)."""
    key = tuple_(table.c.iss, table.c.sub)
    out = []
    if after is not None:
        out.append(key > tuple_(*(literal(v) for v in after)))
    if upto is not None:
        out.append(key <= tuple_(*(literal(v) for v in upto)))
    return out


def replay(conn: Connection, after: Beneficiary | None = None, upto: Beneficiary | None = None,
           ) -> tuple[dict[ShapeKey, int], dict[BucketKey, BucketValue]]:
    """The totals the non-voided draws give, from nothing (zero rows left out)."""
    d = Deltas()
    d.count(row._mapping for row in conn.execute(
        select(draws.c.iss, draws.c.sub, draws.c.ent, draws.c.per, draws.c.tz, draws.c.at,
               draws.c.amount, draws.c.units, draws.c.voided)
        .where(*within(draws, after, upto))))
    return ({k: n for k, n in d.shapes.items() if n},
            {k: (b[0], b[1], b[2], b[3]) for k, b in d.buckets.items() if any(b[1:])})


def stored(conn: Connection, after: Beneficiary | None = None, upto: Beneficiary | None = None,
           ) -> tuple[dict[ShapeKey, int], dict[BucketKey, BucketValue]]:
    """The totals as stored (zero rows left out): equal to :func:`replay` at all times."""
    shapes = {(r.iss, r.sub, r.ent, r.per, r.tz): r.records
              for r in conn.execute(select(usage_totals_shape)
                                    .where(*within(usage_totals_shape, after, upto)))
              if r.records}
    buckets = {(r.iss, r.sub, r.ent, r.per, r.tz, r.period_start):
               (r.period_end, r.amount, r.units, r.records)
               for r in conn.execute(select(usage_totals)
                                     .where(*within(usage_totals, after, upto)))
               if (r.amount, r.units, r.records) != (0, 0, 0)}
    return shapes, buckets


def rebuild(conn: Connection, after: Beneficiary | None = None,
            upto: Beneficiary | None = None) -> int:
    """Inside the caller's transaction: replace the totals (of the beneficiaries in the
    range, by default all) by a replay of the draws. Returns the bucket rows written."""
    shapes, buckets = replay(conn, after, upto)
    conn.execute(delete(usage_totals).where(*within(usage_totals, after, upto)))
    conn.execute(delete(usage_totals_shape).where(*within(usage_totals_shape, after, upto)))
    d = Deltas(dict(shapes), {k: list(v) for k, v in buckets.items()})
    d.flush(conn)
    return len(buckets)


__all__ = ["Beneficiary", "BucketKey", "BucketValue", "Deltas", "ShapeKey", "rebuild", "replay",
           "stored", "within"]
