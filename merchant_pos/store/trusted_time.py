"""Trusted time: a high-water mark the counter's clock may not fall behind.

The mark is the server's time at the last successful sync plus the monotonic
time elapsed since (a lower bound of real time: the monotonic clock cannot be
set back, and counts no more than the time since boot, which came after the
sync), and the latest redemption recorded since that sync. A redemption whose
time is behind the mark by more than :data:`TOLERANCE_SECONDS` is refused
inside ``redeem``'s transaction with a plain message (fix the clock or sync),
and the refusal is audited (``time_anomaly``). A successful sync resets the mark
to the server's time, so a clock that once ran into the future does not lock
the counter for good (that is audited too).

The mark lives in ``settings`` (``time.trusted_mark``) as
``{"server_time", "monotonic", "rowid"}``: ``rowid`` is the last redemption's
rowid at the reset, so only later redemptions raise the mark.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from merchant_pos.store.audit import AuditKind, AuditLog
from merchant_pos.store.errors import LedgerError, LedgerErrorId

TOLERANCE_SECONDS = 120
MARK_KEY = "time.trusted_mark"


class _LedgerLike(Protocol):
    audit: AuditLog
    monotonic: Callable[[], float]


@dataclass(frozen=True, slots=True)
class TimeMark:
    server_time: int
    monotonic: float
    rowid: int


def read_mark(db: sqlite3.Connection) -> TimeMark | None:
    row = db.execute("SELECT value FROM settings WHERE key = ?", (MARK_KEY,)).fetchone()
    if row is None:
        return None
    try:
        data = json.loads(row[0])
        return TimeMark(int(data["server_time"]), float(data["monotonic"]), int(data["rowid"]))
    except (ValueError, KeyError, TypeError):
        return None


def trusted_floor(db: sqlite3.Connection, monotonic_now: float) -> int | None:
    """The earliest the time can be now, as far as this counter knows (None: no idea)."""
    mark = read_mark(db)
    after = 0 if mark is None else mark.rowid
    latest = db.execute("SELECT max(created_at) FROM redemptions WHERE rowid > ?",
                        (after,)).fetchone()[0]
    floor: int | None = None if latest is None else int(latest)
    if mark is not None:
        elapsed = monotonic_now - mark.monotonic
        synced = mark.server_time + (int(elapsed) if elapsed > 0 else 0)
        floor = synced if floor is None else max(floor, synced)
    return floor


def refuse_if_clock_behind(db: sqlite3.Connection, now: int, ledger: _LedgerLike) -> None:
    """Inside ``redeem``'s ``BEGIN IMMEDIATE``, before anything is written: when ``now`` is
    behind the mark, commit one ``time_anomaly`` audit row and raise CLOCK_BEHIND."""
    floor = trusted_floor(db, ledger.monotonic())
    if floor is None or now >= floor - TOLERANCE_SECONDS:
        return
    behind = floor - now
    ledger.audit.append(db, at=now, kind=AuditKind.TIME_ANOMALY, operator_id=None,
                        payload={"why": "clock_behind", "clock": now, "trusted": floor,
                                 "behind": behind})
    db.execute("COMMIT")  # the refusal's trace stays; the caller's rollback finds nothing
    raise LedgerError(LedgerErrorId.CLOCK_BEHIND, f"{behind} s behind the trusted time",
                      subject=str(max(1, round(behind / 60))))


def reset_mark(db: sqlite3.Connection, server_time: int, monotonic_now: float,
               ledger: _LedgerLike) -> None:
    """After a successful sync (inside a write transaction): the mark becomes the server's
    time; a mark that had run ahead of it is audited."""
    before = trusted_floor(db, monotonic_now)
    if before is not None and before > server_time + TOLERANCE_SECONDS:
        ledger.audit.append(db, at=server_time, kind=AuditKind.TIME_ANOMALY, operator_id=None,
                            payload={"why": "ran_ahead", "trusted": before,
                                     "server_time": server_time})
    rowid = db.execute("SELECT coalesce(max(rowid), 0) FROM redemptions").fetchone()[0]
    value = json.dumps({"server_time": int(server_time), "monotonic": monotonic_now,
                        "rowid": int(rowid)})
    db.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) "
               "DO UPDATE SET value = excluded.value", (MARK_KEY, value))
