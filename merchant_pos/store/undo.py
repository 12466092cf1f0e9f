"""The operator's short undo: a void without a supervisor, under the ledger's own rules.

A counter that confirms on the scan (auto-confirm) gives the operator a few
seconds to take a mistaken redemption back. The window only offers it; the
ledger decides, inside one write transaction:

- only the device's latest redemption, and only if the same operator made it;
- only within :data:`UNDO_SECONDS` of ledger time after it was recorded;
- only before the next scan: every scan the counter reads is counted here
  (:meth:`UndoService.note_scan`), and :meth:`UndoService.arm` remembers the
  count when the redemption was made;
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
ARMED_SCAN = "undo.armed_scan"  # the scan count when the undoable redemption was made
ARMED_ROW = "undo.armed_row"  # that redemption's rowid

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
        """A code was read at the counter: no earlier redemption can be undone any more."""
        with self.ledger.write() as session:
            return int(raw_connection(session).execute(_BUMP, (SCANS,)).fetchone()[0])

    def arm(self, redemption_id: str) -> bool:
        """Make ``redemption_id`` undoable until the next scan (if it is the latest)."""
        with self.ledger.write() as session:
            db = raw_connection(session)
            latest = db.execute(_LATEST).fetchone()
            if latest is None or latest[1] != redemption_id:
                return False
            db.execute(_SET, (ARMED_ROW, int(latest[0])))
            db.execute(_SET, (ARMED_SCAN, _counter(db, SCANS)))
            return True

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
            elif (_counter(db, ARMED_ROW) != int(latest[0])
                  or _counter(db, ARMED_SCAN) != _counter(db, SCANS)):
                why = "a code was scanned since"
            if why is not None or row is None:
                raise LedgerError(LedgerErrorId.UNDO_NOT_ALLOWED, why or "")
            void_id = str(uuid.uuid4())
            write_void(session, db, self.ledger.audit, row, void_id=void_id, by=actor.id,
                       reason=UNDO_REASON, now=now, extra={"undo": True})
            db.execute(_SET, (ARMED_ROW, 0))
            return UndoRecord(void_id, redemption_id, row.receipt_no, now)
