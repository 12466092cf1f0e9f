"""The operator's short undo: a void without a supervisor, under the ledger's own rules.

A counter that confirms on the scan (auto-confirm) gives the operator a few
seconds to take a mistaken redemption back. The window only offers it; the
ledger decides, inside one write transaction:

- only the device's latest redemption, and only if the same operator made it;
- only within :data:`UNDO_SECONDS` of ledger time after it was recorded;
- only before the next scan: every scan the counter reads is noted here
  (:meth:`UndoService.note_scan`) with the latest redemption at that moment, so a
  redemption written after the last scan is undoable and one before it is not
  (no second write per redemption: the scan carries the mark);
- audited as a void (``"undo": true``) and sent to the server like one.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass

from merchant_pos.store.engine import raw_connection
from merchant_pos.store.errors import LedgerError, LedgerErrorId
from merchant_pos.store.ledger import Ledger
from merchant_pos.store.models import RedemptionRow, RedemptionStatus
from merchant_pos.store.operators import OperatorSession
from merchant_pos.store.void_writer import write_void

UNDO_SECONDS = 8
UNDO_REASON = "undo"
SCANS = "undo.scans"  # scans read at this counter
SCANNED_AFTER_ROW = "undo.scanned_after_row"  # the latest redemption's rowid at the last scan

_GET = "SELECT value FROM counters WHERE name = ?"
_SET = ("INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) "
        "DO UPDATE SET value = excluded.value")
_BUMP = ("INSERT INTO counters (name, value) VALUES (?, 1) ON CONFLICT(name) "
         "DO UPDATE SET value = value + 1 RETURNING value")
_LATEST = "SELECT rowid, id FROM redemptions ORDER BY rowid DESC LIMIT 1"


@dataclass(frozen=True, slots=True)
class UndoRecord:
    void_id: str
    redemption_id: str
    receipt_no: str
    at: int


def _counter(db: sqlite3.Connection, name: str) -> int:
    row = db.execute(_GET, (name,)).fetchone()
    return int(row[0]) if row else 0


class UndoService:
    """Counts scans, arms the undo after a redemption, and performs the undo."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def note_scan(self) -> int:
        """A code was read at the counter: no earlier redemption can be undone any more.
        Returns the number of scans noted so far."""
        with self.ledger.write() as session:
            db = raw_connection(session)
            latest = db.execute(_LATEST).fetchone()
            db.execute(_SET, (SCANNED_AFTER_ROW, int(latest[0]) if latest else 0))
            return int(db.execute(_BUMP, (SCANS,)).fetchone()[0])

    def undo(self, redemption_id: str, operator: OperatorSession) -> UndoRecord:
        """Void the operator's last redemption; raises UNDO_NOT_ALLOWED when any rule fails."""
        actor = operator.ensure_active()
        with self.ledger.write() as session:
            db = raw_connection(session)
            latest = db.execute(_LATEST).fetchone()
            row = session.get(RedemptionRow, redemption_id)
            now = self.ledger.clock()
            why = None
            if row is None or latest is None or latest[1] != redemption_id:
                why = "not the latest redemption"
            elif row.status == RedemptionStatus.VOIDED.value:
                why = "already voided"
            elif row.operator_id != actor.id:
                why = "another operator's redemption"
            elif not 0 <= now - row.created_at <= UNDO_SECONDS:
                why = f"{now - row.created_at} s after it was recorded"
            elif _counter(db, SCANNED_AFTER_ROW) >= int(latest[0]):
                why = "a code was scanned since"
            if why is not None or row is None:
                raise LedgerError(LedgerErrorId.UNDO_NOT_ALLOWED, why or "")
            void_id = str(uuid.uuid4())
            write_void(session, db, self.ledger.audit, row, void_id=void_id, by=actor.id,
                       reason=UNDO_REASON, now=now, extra={"undo": True})
            return UndoRecord(void_id, redemption_id, row.receipt_no, now)
