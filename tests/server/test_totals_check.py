"""``merchant-pos-server totals check [--repair]`` on a ledger built by real pushes: equal
totals pass; each way of corrupting them is reported as exactly that mismatch; the
repair rebuilds them in one transaction, under the locks a push takes, and the judge's
verdicts afterwards are those of a full re-judge."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Connection, delete, insert, select, update

from merchant_pos.server import ingest, totals_check, usage_totals
from merchant_pos.server.cli import main
from merchant_pos.server.database import make_engine
from merchant_pos.server.schema import usage_totals as buckets_table
from merchant_pos.server.schema import usage_totals_shape as shapes_table
from merchant_pos.server.usage_totals import SHAPE_COLUMNS
from tests.server.test_history_totals import _scenario
from tests.server.test_history_window import _full_rejudge, _stored
from tests.server.world import World

LATER = 6  # pushes kept for after the repair


def run(db: str, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = main(["--db", db, "totals", "check", *args])
    out, err = capsys.readouterr()
    assert not err
    return status, out


def _first(conn: Connection, table: Any) -> Any:
    """A stored row that counts (records > 0), the same one every run."""
    t = table.c
    return conn.execute(select(table).where(t.records > 0)
                        .order_by(*(t[c] for c in SHAPE_COLUMNS)).limit(1)).one()


def _key(row: Any) -> tuple[Any, ...]:
    key = tuple(row._mapping[c] for c in SHAPE_COLUMNS)
    return (*key, row.period_start) if "period_start" in row._mapping else key


def _value(row: Any) -> Any:
    return (row.period_end, row.amount, row.units, row.records) if "amount" in row._mapping \
        else row.records


Corruption = Callable[[Connection], tuple[totals_check.Mismatch, list[str]]]


def amount_changed(conn: Connection) -> tuple[totals_check.Mismatch, list[str]]:
    row = _first(conn, buckets_table)
    conn.execute(update(buckets_table).where(*_where(buckets_table, row))
                 .values(amount=row.amount + 100))
    end, amount, units, records = _value(row)
    return (totals_check.Mismatch(_key(row), (end, amount + 100, units, records), _value(row)),
            [f"stored amount {amount + 100}, units {units}", f"the draws give amount {amount},"])


def bucket_deleted(conn: Connection) -> tuple[totals_check.Mismatch, list[str]]:
    row = _first(conn, buckets_table)
    conn.execute(delete(buckets_table).where(*_where(buckets_table, row)))
    return (totals_check.Mismatch(_key(row), None, _value(row)),
            ["bucket missing row:", "stored no row; the draws give amount"])


def extra_row(conn: Connection) -> tuple[totals_check.Mismatch, list[str]]:
    row = _first(conn, buckets_table)
    values = {**row._mapping, "sub": "B-ZZ-NOBODY", "amount": 500, "units": 0, "records": 1}
    conn.execute(insert(buckets_table).values(**values))
    key = (*_key(row)[:1], "B-ZZ-NOBODY", *_key(row)[2:])
    return (totals_check.Mismatch(key, (row.period_end, 500, 0, 1), None),
            ["bucket extra row: beneficiary B-ZZ-NOBODY", "the draws give no row"])


def shape_records_changed(conn: Connection) -> tuple[totals_check.Mismatch, list[str]]:
    row = _first(conn, shapes_table)
    conn.execute(update(shapes_table).where(*_where(shapes_table, row))
                 .values(records=row.records + 1))
    return (totals_check.Mismatch(_key(row), row.records + 1, row.records),
            [f"shape beneficiary {row.sub}", f"stored records {row.records + 1}; "
             f"the draws give records {row.records}"])


def _where(table: Any, row: Any) -> list[Any]:
    return [table.c[c] == row._mapping[c] for c in (*SHAPE_COLUMNS, "period_start")
            if c in table.c]


def _build(world: World) -> list[Any]:
    """A ledger with re-allocations and voids, by real pushes; the last pushes kept."""
    pushes = _scenario(world, 5, True)
    for pos, batch in pushes[:-LATER]:
        pos.push(*batch)
    with world.engine.connect() as conn:  # voids and re-allocations left zero rows
        assert conn.scalar(select(buckets_table.c.records)
                           .order_by(buckets_table.c.records).limit(1)) == 0
    return pushes[-LATER:]


@pytest.mark.parametrize("corrupt", [amount_changed, bucket_deleted, extra_row,
                                     shape_records_changed])
def test_check_reports_exactly_the_corruption_and_repair_fixes_it(
        world: World, db_url: str, capsys: pytest.CaptureFixture[str],
        corrupt: Corruption) -> None:
    later = _build(world)
    status, out = run(db_url, capsys)
    assert status == 0, out
    assert "No mismatches" in out and "--repair" not in out
    clean = totals_check.check(world.engine)
    assert clean.mismatches == [] and clean.beneficiaries == 3 and clean.buckets > 20
    assert f"{clean.beneficiaries} beneficiaries, {clean.shapes} shapes" in out

    with world.engine.begin() as conn:
        expected, phrases = corrupt(conn)
    for size in (1, 2, totals_check.CHUNK):  # one beneficiary a range, or all in one
        assert totals_check.check(world.engine, size).mismatches == [expected]
    status, out = run(db_url, capsys)
    assert status == 1, out
    assert "1 mismatch:" in out and "totals check --repair" in out
    assert [line for line in out.splitlines() if line.startswith("  ")] == [
        totals_check.describe(expected)]
    for phrase in phrases:
        assert phrase in out

    status, out = run(db_url, capsys, "--repair")
    assert status == 0, out
    assert "rebuilt from the draws" in out and "No mismatches" in out
    status, out = run(db_url, capsys)
    assert status == 0 and "No mismatches" in out
    with world.engine.connect() as conn:
        assert usage_totals.stored(conn) == usage_totals.replay(conn)

    for pos, batch in later:  # the judge reads the repaired totals
        pos.push(*batch)
    assert _stored(world) == _full_rejudge(world)
    assert totals_check.check(world.engine).mismatches == []


def test_a_zero_row_counts_as_no_row(world: World, db_url: str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    _build(world)
    with world.engine.begin() as conn:
        row = _first(conn, buckets_table)
        conn.execute(insert(buckets_table).values(
            **{**row._mapping, "period_start": row.period_start - 1, "amount": 0, "units": 0,
               "records": 0}))
        shape = _first(conn, shapes_table)
        conn.execute(insert(shapes_table).values(**{**shape._mapping, "tz": "UTC",
                                                    "records": 0}))
    status, out = run(db_url, capsys)
    assert status == 0 and "No mismatches" in out, out


def test_many_mismatches_are_listed_up_to_show(world: World, db_url: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    _build(world)
    with world.engine.begin() as conn:
        n = len(conn.execute(select(buckets_table).where(buckets_table.c.records > 0)).all())
        conn.execute(delete(buckets_table))
    status, out = run(db_url, capsys, "--show", "3")
    assert status == 1
    assert f"{n} mismatches:" in out and f"and {n - 3} more (--show 0 lists all)" in out
    assert sum(line.startswith("  bucket missing row") for line in out.splitlines()) == 3
    assert run(db_url, capsys, "--repair")[0] == 0


def test_bad_usage_exits_2(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["totals"], ["totals", "check", "--show", "-1"], ["totals", "check", "x"]):
        with pytest.raises(SystemExit) as exc:
            main(["--db", db_url, *args])
        assert exc.value.code == 2
    capsys.readouterr()


def _hold_a_beneficiary(conn: Connection) -> None:
    """What a push takes first: the ledger lock of a beneficiary with draws."""
    key = conn.execute(select(shapes_table.c.iss, shapes_table.c.sub).limit(1)).one()
    ingest._lock(conn, [(key.iss, key.sub)])


def _add_a_new_beneficiarys_totals(conn: Connection) -> None:
    """What a push of someone seen for the first time writes (no ledger row to wait for)."""
    row = _first(conn, buckets_table)
    totals = usage_totals.Deltas(buckets={(row.iss, "B-NEW", *_key(row)[2:]):
                                          [row.period_end, 100, 0, 1]})
    totals.flush(conn)


@pytest.mark.parametrize("hold", [_hold_a_beneficiary, _add_a_new_beneficiarys_totals])
def test_repair_waits_for_a_push(world: World, db_url: str,
                                 hold: Callable[[Connection], None]) -> None:
    """A push holds a beneficiary's ledger lock (``ingest._lock``), or has written the
    totals of a new one (SQLite: the write lock either way): the repair waits until the
    push ends, then rebuilds from what it committed."""
    _build(world)
    with world.engine.begin() as conn:
        conn.execute(update(buckets_table).values(amount=buckets_table.c.amount + 1))
    engine = make_engine(db_url)
    done: list[tuple[int, int]] = []
    try:
        with world.engine.begin() as conn:
            hold(conn)
            repairing = threading.Thread(
                target=lambda: done.append(totals_check.repair(engine)), daemon=True)
            repairing.start()
            time.sleep(1.5)
            assert repairing.is_alive() and not done  # waiting for the push
        repairing.join(30)
        assert done and done[0][0] > 20
        assert totals_check.check(world.engine).mismatches == []
    finally:
        engine.dispose()
