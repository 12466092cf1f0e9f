"""Emptying the -wal file after accepted codes or old PIN hashes changed: it must not
lose to the background checkpointer; a quick busy answer is tried again, a slow one
(a reader that outlasted the busy timeout) is not."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from merchant_pos.store import Ledger
from merchant_pos.store.engine import (
    PURGE_ATTEMPTS,
    BackgroundCheckpointer,
    purge_wal,
    raw_connection,
)

MARK = "CODE-THE-SERVER-ACCEPTED"


def still() -> float:
    """A clock that stands still: every busy answer counts as quick, however loaded
    the machine (the retries are then counted, not timed)."""
    return 0.0


def write_setting(ledger: Ledger, value: str) -> None:
    with ledger.write() as session:
        raw_connection(session).execute(
            "INSERT INTO settings (key, value) VALUES ('purge-test', ?) ON CONFLICT(key) "
            "DO UPDATE SET value = excluded.value", (f'"{value}"',))


def wal(ledger: Ledger) -> Path:
    return ledger.path.with_name(ledger.path.name + "-wal")


def holds_mark(ledger: Ledger) -> list[str]:
    return [p.name for p in (ledger.path, wal(ledger)) if p.exists() and MARK.encode()
            in p.read_bytes()]


@contextmanager
def reader_in_the_way(tmp_path: Path) -> Iterator[tuple[Ledger, sqlite3.Connection]]:
    """A ledger (20 ms busy timeout) whose marked row changed while another connection
    holds a read snapshot from before: its old page image is in the -wal."""
    with Ledger.open(tmp_path / "data", busy_timeout_ms=20,
                     background_checkpoints=False) as ledger:
        write_setting(ledger, MARK)
        reader = sqlite3.connect(ledger.path, isolation_level=None)
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM settings").fetchone()[0] > 0
        write_setting(ledger, "gone")
        try:
            yield ledger, reader
        finally:
            reader.close()


def test_a_purge_never_collides_with_the_background_checkpointer(tmp_path: Path) -> None:
    # The checkpointer here runs back to back (interval 0): before it paused for purges,
    # about every other purge found its PASSIVE checkpoint running and got "busy". One
    # attempt each, so retries cannot hide a collision.
    with Ledger.open(tmp_path / "data", background_checkpoints=False) as ledger:
        ledger.checkpointer = BackgroundCheckpointer(ledger.engine, interval=0)
        ledger.checkpointer.start()
        for i in range(150):
            write_setting(ledger, f"{MARK}-{i:04d}")
            write_setting(ledger, "gone")
            assert ledger.purge_wal(attempts=1), f"purge {i} was busy"
            assert wal(ledger).stat().st_size == 0 and holds_mark(ledger) == []
        assert ledger.checkpointer.checkpoints > 0 and ledger.checkpointer.last_error is None


def test_a_reader_in_the_way_is_waited_out_then_the_purge_is_tried_again(
        tmp_path: Path) -> None:
    with reader_in_the_way(tmp_path) as (ledger, reader):
        waits: list[float] = []

        def reader_leaves(seconds: float) -> None:
            waits.append(seconds)
            reader.execute("COMMIT")

        assert purge_wal(ledger.engine, wait=reader_leaves, monotonic=still)
        assert len(waits) == 1 and wal(ledger).stat().st_size == 0
        assert holds_mark(ledger) == []


def test_a_reader_that_stays_makes_the_purge_say_false_and_nothing_breaks(
        tmp_path: Path) -> None:
    with reader_in_the_way(tmp_path) as (ledger, reader):
        waits: list[float] = []
        assert not purge_wal(ledger.engine, wait=waits.append, monotonic=still)
        assert len(waits) == PURGE_ATTEMPTS - 1 and holds_mark(ledger) != []
        assert waits == sorted(waits) and len(set(waits)) == len(waits)  # later each time
        reader.execute("COMMIT")
        write_setting(ledger, "still writable")
        assert ledger.purge_wal() and holds_mark(ledger) == []


def test_a_reader_that_outlasts_the_busy_timeout_is_not_waited_for_again(
        tmp_path: Path) -> None:
    # Each try holds writers off for the busy timeout: a slow busy answer ends the purge.
    ticks = iter(range(0, 1000, 10))  # every reading of the clock 10 s later
    with reader_in_the_way(tmp_path) as (ledger, reader):
        waits: list[float] = []
        assert not purge_wal(ledger.engine, wait=waits.append,
                             monotonic=lambda: float(next(ticks)))
        assert waits == [] and holds_mark(ledger) != []
        reader.execute("COMMIT")
        assert purge_wal(ledger.engine, monotonic=lambda: float(next(ticks)))
        assert holds_mark(ledger) == []


@pytest.mark.parametrize("attempts", [1, 3])
def test_attempts_bound_the_tries(tmp_path: Path, attempts: int) -> None:
    with reader_in_the_way(tmp_path) as (ledger, reader):
        waits: list[float] = []
        assert not purge_wal(ledger.engine, attempts=attempts, wait=waits.append,
                             monotonic=still)
        assert len(waits) == attempts - 1
        reader.execute("COMMIT")
