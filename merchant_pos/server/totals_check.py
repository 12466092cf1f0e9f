"""``merchant-pos-server totals check [--repair]``: are the usage totals those of the draws?

The usage totals (``server/usage_totals``) are a cache of the judge, kept in the
transaction of every write to ``draws``. After a restore from a backup, a hand-made
SQL fix to the draws or a bug they may differ from the draws; the judge would then
judge new redemptions against wrong history. :func:`check` replays the totals from
the draws (``usage_totals.replay``) and compares them with the stored rows
(``usage_totals.stored``; a zero row counts as no row), :func:`repair` rebuilds them
(``usage_totals.rebuild``) in one transaction and checks again.

Both read the ledger a range of :data:`CHUNK` beneficiaries at a time (the draws of one
range, ordered by the ``(iss, sub, at)`` index, are in memory at once, not the whole
ledger). :func:`check` reads in one snapshot (PostgreSQL REPEATABLE READ, a SQLite read
transaction), so it may run while the server takes pushes. :func:`repair` takes what
every push takes before it writes draws or totals: on SQLite the write lock
(``BEGIN IMMEDIATE``), on PostgreSQL every beneficiary's ``ledger_locks`` row (in the
order ``ingest._lock`` takes them) and then the two totals tables in EXCLUSIVE mode, so
a push of a beneficiary seen for the first time waits too. Pushes wait until the repair
commits (they fail, and the counters push again later, if that takes longer than the
30 s lock timeouts of ``database.make_engine``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection, Engine, select, text

from merchant_pos.server.database import reader
from merchant_pos.server.schema import draws
from merchant_pos.server.usage_totals import (
    Beneficiary,
    BucketKey,
    BucketValue,
    ShapeKey,
    rebuild,
    replay,
    stored,
    within,
)

CHUNK = 1000  # beneficiaries read at a time
SHOW = 50  # mismatches printed by default
Span = tuple[Beneficiary | None, Beneficiary | None]
K = TypeVar("K", ShapeKey, BucketKey)
V = TypeVar("V", int, BucketValue)


@dataclass(frozen=True)
class Mismatch:
    """One shape or bucket whose stored totals are not those of the draws (None: no row)."""

    key: ShapeKey | BucketKey
    stored: int | BucketValue | None
    replayed: int | BucketValue | None

    @property
    def kind(self) -> str:
        return "bucket" if len(self.key) == 6 else "shape"


@dataclass
class Report:
    beneficiaries: int = 0
    shapes: int = 0
    buckets: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)


def spans(conn: Connection, size: int = CHUNK) -> Iterator[Span]:
    """Ranges ``after < (iss, sub) <= upto`` of ``size`` beneficiaries with draws, the last
    one open: together they hold every row of the draws and of the totals tables."""
    d = draws.c
    after: Beneficiary | None = None
    while True:
        upto = conn.execute(select(d.iss, d.sub).distinct().where(*within(draws, after))
                            .order_by(d.iss, d.sub).offset(size - 1).limit(1)).first()
        if upto is None:
            yield after, None
            return
        yield after, (upto.iss, upto.sub)
        after = (upto.iss, upto.sub)


def compare(conn: Connection, report: Report, after: Beneficiary | None = None,
            upto: Beneficiary | None = None) -> None:
    """Add the range's beneficiaries, shapes, buckets and mismatches to ``report``."""
    want_shapes, want_buckets = replay(conn, after, upto)
    have_shapes, have_buckets = stored(conn, after, upto)
    keys = (*want_shapes, *have_shapes, *want_buckets, *have_buckets)
    report.beneficiaries += len({k[:2] for k in keys})
    report.shapes += len(want_shapes.keys() | have_shapes.keys())
    report.buckets += len(want_buckets.keys() | have_buckets.keys())
    report.mismatches += _differ(have_shapes, want_shapes) + _differ(have_buckets, want_buckets)


def _differ(have: Mapping[K, V], want: Mapping[K, V]) -> list[Mismatch]:
    """The keys whose stored (``have``) and replayed (``want``) values differ; an absent
    key on one side is a missing or an extra row."""
    return [Mismatch(k, have.get(k), want.get(k)) for k in sorted(have.keys() | want.keys())
            if have.get(k) != want.get(k)]


def _snapshot(engine: Engine) -> Connection:
    """A read-only connection whose reads all see one state of the database."""
    if engine.dialect.name == "postgresql":
        return engine.connect().execution_options(isolation_level="REPEATABLE READ",
                                                  postgresql_readonly=True)
    return reader(engine).connect()  # a deferred BEGIN: one WAL snapshot


def check(engine: Engine, size: int = CHUNK) -> Report:
    report = Report()
    with _snapshot(engine) as conn:
        for after, upto in spans(conn, size):
            compare(conn, report, after, upto)
        conn.rollback()
    return report


def _lock_writers(conn: Connection) -> int:
    """Keep every push off the draws and totals until this transaction ends (see the
    module's text). Returns the number of beneficiary locks taken (0 on SQLite)."""
    if conn.dialect.name != "postgresql":
        return 0  # BEGIN IMMEDIATE (database.make_engine) took SQLite's one write lock
    # COLLATE "C": the code point order of ingest's sorted(), so no deadlock with a push
    locked = conn.scalar(text(
        'SELECT count(*) FROM (SELECT 1 FROM ledger_locks ORDER BY iss COLLATE "C", '
        'sub COLLATE "C" FOR UPDATE) AS locked'))
    conn.execute(text("LOCK TABLE usage_totals_shape, usage_totals IN EXCLUSIVE MODE"))
    return int(locked or 0)


def repair(engine: Engine, size: int = CHUNK) -> tuple[int, int]:
    """Rebuild the totals from the draws in one transaction. Returns (bucket rows written,
    beneficiary locks taken)."""
    written = 0
    with engine.begin() as conn:
        locked = _lock_writers(conn)
        for after, upto in spans(conn, size):
            written += rebuild(conn, after, upto)
    return written, locked


def _when(epoch: int, tz: str) -> str:
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        zone, tz = ZoneInfo("UTC"), "UTC"
    return f"{datetime.fromtimestamp(epoch, UTC).astimezone(zone):%Y-%m-%d %H:%M} {tz}"


def _amounts(value: int | BucketValue | None, other: int | BucketValue | None) -> str:
    if value is None:
        return "no row"
    if isinstance(value, int):
        return f"records {value}"
    end, amount, units, records = value
    out = f"amount {amount}, units {units}, records {records}"
    if isinstance(other, tuple) and other[0] != end:
        out += f", bucket ends {end}"
    return out


def describe(m: Mismatch) -> str:
    """One line an operator can act on: which row, what is stored, what the draws give."""
    iss, sub, ent, per, tz = m.key[:5]
    where = f"beneficiary {sub} (issuer {iss}), entitlement {ent}, shape {per} {tz}"
    if len(m.key) == 6:
        start = m.key[5]
        where += (", the whole history bucket" if per == "total"
                  else f", bucket from {_when(start, tz)} (period_start {start})")
    what = ("extra row: " if m.replayed is None else "missing row: " if m.stored is None
            else "")
    return (f"  {m.kind} {what}{where}: stored {_amounts(m.stored, m.replayed)}; "
            f"the draws give {_amounts(m.replayed, m.stored)}")


def format_report(report: Report, show: int = SHOW) -> str:
    lines = [f"Usage totals compared with a replay of the draws: {report.beneficiaries} "
             f"beneficiaries, {report.shapes} shapes, {report.buckets} period buckets."]
    n = len(report.mismatches)
    if not n:
        lines.append("No mismatches: the stored totals equal the draws.")
        return "\n".join(lines)
    lines.append(f"{n} mismatch{'es' if n != 1 else ''}:")
    listed = report.mismatches if show <= 0 else report.mismatches[:show]
    lines += [describe(m) for m in listed]
    if len(listed) < n:
        lines.append(f"  ... and {n - len(listed)} more (--show 0 lists all).")
    return "\n".join(lines)


def run(engine: Engine, *, repair_them: bool, show: int = SHOW) -> int:
    """The command: print the report; 0 when equal, 1 on mismatches."""
    if repair_them:
        written, locked = repair(engine)
        held = (f" while holding {locked} beneficiaries' ledger locks" if locked
                else " while holding the database's write lock"
                if engine.dialect.name != "postgresql" else "")
        print(f"Usage totals rebuilt from the draws in one transaction{held}: "
              f"{written} period buckets written. Checking again:")
    report = check(engine)
    print(format_report(report, show))
    if not report.mismatches:
        return 0
    print("The totals still differ from the draws after the rebuild: something wrote the "
          "draws or the totals meanwhile outside the server, or this is a bug; report it."
          if repair_them else
          "The judge reads these totals: run `merchant-pos-server totals check --repair` "
          "to rebuild them from the draws.")
    return 1


__all__ = ["CHUNK", "Mismatch", "Report", "check", "compare", "describe", "format_report",
           "repair", "run", "spans"]
