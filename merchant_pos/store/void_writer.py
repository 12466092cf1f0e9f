"""Writing a void into the ledger: the row, the redemption's status, the outbox entry and
the audit row, inside the caller's write transaction. Shared by the supervisor's void
(:meth:`RedemptionService.void`) and the operator's short undo (:mod:`.undo`)."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from merchant_pos.store.audit import AuditKind, AuditLog, canonical_json
from merchant_pos.store.models import OutboxKind, RedemptionRow, RedemptionStatus, VoidRow
from merchant_pos.store.usage_totals import tracked

_INSERT_OUTBOX = ("INSERT INTO outbox (entry_id, kind, redemption_id, payload, status,"
                  " created_at, attempts) VALUES (?, ?, ?, ?, ?, ?, 0)")


def enqueue(db: sqlite3.Connection, entry_id: str, kind: OutboxKind, redemption_id: str,
            payload: dict[str, Any], now: int) -> None:
    db.execute(_INSERT_OUTBOX, (entry_id, kind.value, redemption_id, canonical_json(payload),
                                RedemptionStatus.PENDING.value, now))


def write_void(session: Session, db: sqlite3.Connection, audit: AuditLog, row: RedemptionRow,
               *, void_id: str, by: int, reason: str, now: int,
               extra: dict[str, Any] | None = None) -> None:
    """Void ``row`` (checked by the caller) as operator ``by``; ``extra`` goes into the audit
    row only (e.g. ``{"undo": True}``): the server's void item has a fixed shape."""
    session.execute(insert(VoidRow), [{
        "id": void_id, "redemption_id": row.id, "supervisor_id": by,
        "reason": reason, "created_at": now}])
    with tracked(db, [row.id]):  # the void returns its draws: the usage totals follow
        session.execute(update(RedemptionRow).where(RedemptionRow.id == row.id)
                        .values(status=RedemptionStatus.VOIDED.value, voided_at=now))
    payload = {"type": OutboxKind.VOID.value, "id": void_id, "redemption_id": row.id,
               "receipt_no": row.receipt_no, "supervisor_id": by, "reason": reason,
               "at": now}
    session.flush()
    enqueue(db, void_id, OutboxKind.VOID, row.id, payload, now)
    audit.append(db, at=now, kind=AuditKind.VOID, operator_id=by, payload={
        "id": void_id, "redemption_id": row.id, "receipt_no": row.receipt_no,
        "reason": reason, **(extra or {})})
