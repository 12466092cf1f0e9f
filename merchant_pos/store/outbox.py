"""The outbox: what the sync engine pushes, in order, and where the server's answers land.

Each entry (a redemption or a void) keeps its UUID and the exact payload it
was created with, so every retry sends the same thing. An entry is never
deleted; the server's answer moves it from ``pending`` to ``accepted``,
``conflict`` or ``rejected`` (``duplicate`` counts as ``accepted``), and its
payload (which holds the code text) goes with the answer: see
:mod:`merchant_pos.store.receipt_snapshot`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, update

from merchant_pos.store.audit import AuditKind
from merchant_pos.store.engine import raw_connection
from merchant_pos.store.ledger import Ledger
from merchant_pos.store.models import OutboxKind, OutboxRow, RedemptionRow, RedemptionStatus
from merchant_pos.store.receipt_snapshot import forget_answered
from merchant_pos.store.sync_state import SyncKind, SyncStateStore
from merchant_pos.store.usage_totals import tracked


class PushOutcome(StrEnum):
    """The server's per-item answer to a push (issue 4)."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    REJECTED = "rejected"

    @property
    def status(self) -> RedemptionStatus:
        if self in (PushOutcome.ACCEPTED, PushOutcome.DUPLICATE):
            return RedemptionStatus.ACCEPTED
        return RedemptionStatus(self.value)


@dataclass(frozen=True, slots=True)
class OutboxItem:
    seq: int
    entry_id: str
    kind: OutboxKind
    redemption_id: str
    payload: dict[str, Any]
    status: RedemptionStatus
    attempts: int
    created_at: int


@dataclass(frozen=True, slots=True)
class PushResult:
    entry_id: str
    outcome: PushOutcome
    reason: str | None = None  # what a conflict exceeded, or why it was rejected


@dataclass(frozen=True, slots=True)
class AppliedResults:
    applied: int
    unknown: tuple[str, ...]  # entry ids the outbox does not hold (ignored)


def _item(row: OutboxRow) -> OutboxItem:
    return OutboxItem(row.seq, row.entry_id, OutboxKind(row.kind), row.redemption_id,
                      json.loads(row.payload) if row.payload else {},
                      RedemptionStatus(row.status), row.attempts,
                      row.created_at)


class RedemptionOutbox:
    """Ordered, durable queue of redemptions and voids for the sync engine."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def pending(self, limit: int = 200, after_seq: int = 0) -> list[OutboxItem]:
        """Unanswered entries in creation order (a void always after its redemption)."""
        with self.ledger.read() as session:
            rows = session.scalars(
                select(OutboxRow)
                .where(OutboxRow.status == RedemptionStatus.PENDING.value,
                       OutboxRow.seq > after_seq)
                .order_by(OutboxRow.seq).limit(limit)).all()
            return [_item(r) for r in rows]

    def entry(self, entry_id: str) -> OutboxItem | None:
        with self.ledger.read() as session:
            row = session.scalars(select(OutboxRow).where(OutboxRow.entry_id == entry_id)).first()
            return None if row is None else _item(row)

    def record_attempt(self, entry_ids: Iterable[str], error: str | None = None) -> None:
        """A push of these entries was tried (``error``: why it got no answer)."""
        now = self.ledger.clock()
        ids = list(entry_ids)
        with self.ledger.write() as session:
            session.execute(
                update(OutboxRow).where(OutboxRow.entry_id.in_(ids))
                .values(attempts=OutboxRow.attempts + 1, last_attempt_at=now,
                        last_error=error))
            SyncStateStore.mark_attempt_in(session, SyncKind.PUSH, now, error)

    def apply_results(self, results: Sequence[PushResult]) -> AppliedResults:
        """Store the server's answers (one transaction, one audit entry for the batch)."""
        now = self.ledger.clock()
        unknown: list[str] = []
        counts: dict[str, int] = {}
        flagged: list[dict[str, Any]] = []
        with self.ledger.write() as session:
            for res in results:
                row = session.scalars(
                    select(OutboxRow).where(OutboxRow.entry_id == res.entry_id)).first()
                if row is None:
                    unknown.append(res.entry_id)
                    continue
                status = res.outcome.status
                row.status, row.result_reason, row.answered_at = status.value, res.reason, now
                row.last_error = None
                counts[res.outcome.value] = counts.get(res.outcome.value, 0) + 1
                if status is not RedemptionStatus.ACCEPTED:
                    flagged.append({"entry": res.entry_id, "status": status.value,
                                    "reason": res.reason})
                if row.kind == OutboxKind.REDEMPTION.value:
                    # A void made here stays visible: the redemption keeps "voided".
                    with tracked(raw_connection(session), [row.redemption_id]):
                        session.execute(
                            update(RedemptionRow)
                            .where(RedemptionRow.id == row.redemption_id,
                                   RedemptionRow.status != RedemptionStatus.VOIDED.value)
                            .values(status=status.value, server_reason=res.reason))
            if counts:
                session.flush()
                forget_answered(raw_connection(session), [r.entry_id for r in results])
                SyncStateStore.mark_fresh_in(session, SyncKind.PUSH, now)
                self.ledger.audit.append(session, at=now, kind=AuditKind.SYNC_RESULT,
                                         operator_id=None,
                                         payload={"counts": counts, "flagged": flagged[:100]})
        if counts:
            self.ledger.purge_wal()  # old page images with the code texts leave the -wal
        return AppliedResults(sum(counts.values()), tuple(unknown))

    def status_counts(self) -> dict[str, int]:
        with self.ledger.read() as session:
            rows = session.execute(select(OutboxRow.status, func.count())
                                   .group_by(OutboxRow.status)).all()
            return {status: int(n) for status, n in rows}

    def unsynced_covered_total(self) -> int:
        """Covered fen of redemptions the server has not answered yet (offline cap)."""
        with self.ledger.read() as session:
            total = session.scalar(
                select(func.coalesce(func.sum(RedemptionRow.covered), 0))
                .join(OutboxRow, OutboxRow.entry_id == RedemptionRow.id)
                .where(OutboxRow.status == RedemptionStatus.PENDING.value,
                       RedemptionRow.status != RedemptionStatus.VOIDED.value))
            return int(total or 0)

    def oldest_pending_at(self) -> int | None:
        with self.ledger.read() as session:
            value = session.scalar(select(func.min(OutboxRow.created_at))
                                   .where(OutboxRow.status == RedemptionStatus.PENDING.value))
            return None if value is None else int(value)

    def flagged_redemptions(self) -> list[tuple[str, str, str | None]]:
        """(redemption id, status, server reason) of conflict and rejected redemptions."""
        with self.ledger.read() as session:
            rows = session.execute(
                select(RedemptionRow.id, RedemptionRow.status, RedemptionRow.server_reason)
                .where(RedemptionRow.status.in_([RedemptionStatus.CONFLICT.value,
                                                 RedemptionStatus.REJECTED.value]))
                .order_by(RedemptionRow.created_at)).all()
            return [(r[0], r[1], r[2]) for r in rows]
