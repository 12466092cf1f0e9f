"""The print queue, persisted in the ledger (table ``print_jobs``).

A job holds the frozen content of what to print. It is ``queued`` until a
printer took it (``printed``); a failed attempt leaves it queued with the
error and the attempt count, to be retried or reprinted from the records.
The redemption itself is committed before any job exists: printing can fail,
the redemption cannot be lost by it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select, update

from merchant_pos.printing.content import ReceiptContent
from merchant_pos.store.ledger import Ledger
from merchant_pos.store.models import PrintJobRow

QUEUED, PRINTED = "queued", "printed"


@dataclass(frozen=True, slots=True)
class PrintJob:
    id: int
    redemption_id: str | None
    kind: str
    content: ReceiptContent
    status: str
    attempts: int
    last_error: str | None
    created_at: int
    printed_at: int | None


def _job(row: PrintJobRow) -> PrintJob:
    return PrintJob(row.id, row.redemption_id, row.kind,
                    ReceiptContent.from_json(json.loads(row.content)), row.status,
                    row.attempts, row.last_error, row.created_at, row.printed_at)


class PrintQueue:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def enqueue(self, content: ReceiptContent, redemption_id: str | None = None) -> int:
        with self.ledger.write() as session:
            row = PrintJobRow(redemption_id=redemption_id, kind=content.kind,
                              content=json.dumps(content.to_json(), ensure_ascii=False),
                              status=QUEUED, attempts=0, created_at=self.ledger.clock())
            session.add(row)
            session.flush()
            return int(row.id)

    def get(self, job_id: int) -> PrintJob | None:
        with self.ledger.read() as session:
            row = session.get(PrintJobRow, job_id)
            return None if row is None else _job(row)

    def queued(self, limit: int = 100) -> list[PrintJob]:
        with self.ledger.read() as session:
            rows = session.scalars(select(PrintJobRow).where(PrintJobRow.status == QUEUED)
                                   .order_by(PrintJobRow.id).limit(limit)).all()
            return [_job(r) for r in rows]

    def queued_count(self) -> int:
        with self.ledger.read() as session:
            return int(session.scalar(select(func.count()).select_from(PrintJobRow)
                                      .where(PrintJobRow.status == QUEUED)) or 0)

    def for_redemption(self, redemption_id: str) -> list[PrintJob]:
        with self.ledger.read() as session:
            rows = session.scalars(select(PrintJobRow)
                                   .where(PrintJobRow.redemption_id == redemption_id)
                                   .order_by(PrintJobRow.id)).all()
            return [_job(r) for r in rows]

    def first_content(self, redemption_id: str, kind: str = "receipt") -> ReceiptContent | None:
        """What the first receipt of this redemption said (a reprint repeats it)."""
        for job in self.for_redemption(redemption_id):
            if job.kind == kind:
                return job.content
        return None

    def mark_printed(self, job_id: int) -> None:
        with self.ledger.write() as session:
            session.execute(update(PrintJobRow).where(PrintJobRow.id == job_id).values(
                status=PRINTED, printed_at=self.ledger.clock(),
                attempts=PrintJobRow.attempts + 1, last_error=None))

    def mark_failed(self, job_id: int, error: str) -> None:
        with self.ledger.write() as session:
            session.execute(update(PrintJobRow).where(PrintJobRow.id == job_id).values(
                attempts=PrintJobRow.attempts + 1, last_error=error[:500]))

    def cancel(self, job_id: int) -> None:
        """The clerk gave up on a queued job (e.g. reprinted it instead)."""
        with self.ledger.write() as session:
            session.execute(update(PrintJobRow).where(PrintJobRow.id == job_id,
                                                      PrintJobRow.status == QUEUED)
                            .values(status="cancelled"))
