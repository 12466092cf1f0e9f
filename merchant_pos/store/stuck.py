"""Stuck outbox entries: redemptions and voids the server answered ``error`` or refused.

Such an entry is never dropped: it stays pending, is re-sent at every sync,
counts as unsynced, and is listed for the clerk with the server's reason
(:func:`stuck_entries`) until the server takes it. For support it can be
exported (:func:`export_stuck`) to a file of its own, which holds the
beneficiaries' codes and says so in its name and its first field; it is
written with user-only permissions and is never part of a support bundle
(:data:`EXPORT_MARKER` is in every such file's name, for bundlers to refuse).
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from merchant_pos.store.audit import AuditKind
from merchant_pos.store.ledger import Ledger
from merchant_pos.store.models import OutboxRow, RedemptionRow, RedemptionStatus

EXPORT_MARKER = "CONTAINS-BENEFICIARY-CODES"
EXPORT_FORMAT = "merchant-pos-stuck-entries/1"
_PENDING = RedemptionStatus.PENDING.value


@dataclass(frozen=True, slots=True)
class StuckEntry:
    """One entry the server will not take, as the clerk's list shows it."""

    entry_id: str
    kind: str                 # redemption | void
    redemption_id: str
    receipt_no: str
    created_at: int
    covered: int              # of the redemption (for a void: the one it cancels)
    stuck_at: int
    attempts: int
    reason: str               # the server's error id, e.g. uuid_reused, invalid_request
    server_message: str       # what the server said, as it said it (English)


def _detail(raw: str | None) -> dict[str, Any]:
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {"message": raw or ""}
    return value if isinstance(value, dict) else {"message": str(value)}


def mark_stuck(ledger: Ledger, answers: Iterable[tuple[str, str | None]], at: int) -> None:
    """The server refused these entries (entry id, its answer as canonical JSON): keep
    them pending, note the answer and since when (the first refusal's time stays)."""
    rows = list(answers)
    if not rows:
        return
    with ledger.write() as session:
        for entry_id, detail in rows:
            session.execute(
                update(OutboxRow)
                .where(OutboxRow.entry_id == entry_id, OutboxRow.status == _PENDING)
                .values(attempts=OutboxRow.attempts + 1, last_attempt_at=at,
                        last_error=detail, result_reason=detail,
                        stuck_at=func.coalesce(OutboxRow.stuck_at, at)))


def stuck_entries(ledger: Ledger) -> list[StuckEntry]:
    """Pending entries the server refused, oldest first."""
    with ledger.read() as session:
        rows = session.execute(
            select(OutboxRow.entry_id, OutboxRow.kind, OutboxRow.redemption_id,
                   RedemptionRow.receipt_no, OutboxRow.created_at, RedemptionRow.covered,
                   OutboxRow.stuck_at, OutboxRow.attempts, OutboxRow.result_reason)
            .join(RedemptionRow, RedemptionRow.id == OutboxRow.redemption_id)
            .where(OutboxRow.status == _PENDING, OutboxRow.stuck_at.is_not(None))
            .order_by(OutboxRow.seq)).all()
    out = []
    for r in rows:
        detail = _detail(r[8])
        out.append(StuckEntry(r[0], r[1], r[2], r[3], r[4], r[5], int(r[6] or 0), r[7],
                              str(detail.get("reason") or "error"),
                              str(detail.get("message") or "")))
    return out


def stuck_count(ledger: Ledger) -> int:
    with ledger.read() as session:
        return int(session.scalar(
            select(func.count()).select_from(OutboxRow)
            .where(OutboxRow.status == _PENDING, OutboxRow.stuck_at.is_not(None))) or 0)


def default_export_name(at: int) -> str:
    return f"stuck-entries-{EXPORT_MARKER}-{at}.json"


def export_stuck(ledger: Ledger, path: Path, *, at: int, device_id: str | None = None) -> int:
    """Write every stuck entry, with its exact payload (the beneficiary's code included)
    and the server's answer, to ``path`` (user-only permissions); audited. Returns how
    many. Refuses to overwrite an existing file."""
    entries = stuck_entries(ledger)
    with ledger.read() as session:
        payloads = dict(session.execute(
            select(OutboxRow.entry_id, OutboxRow.payload)
            .where(OutboxRow.entry_id.in_([e.entry_id for e in entries]))).all())
    document = {
        "format": EXPORT_FORMAT,
        "contains_beneficiary_codes": True,
        "warning": "This file holds beneficiaries' codes: give it only to the foundation's "
                   "support staff, never attach it to a support bundle or a chat. "
                   "本文件含受助人的受助码，只可交给基金会技术支持，不要放入支持包或聊天。",
        "exported_at": at,
        "device_id": device_id,
        "entries": [{
            "entry_id": e.entry_id, "kind": e.kind, "redemption_id": e.redemption_id,
            "receipt_no": e.receipt_no, "created_at": e.created_at, "covered": e.covered,
            "stuck_at": e.stuck_at, "attempts": e.attempts,
            "server_answer": {"reason": e.reason, "message": e.server_message},
            "payload": json.loads(payloads[e.entry_id]),
        } for e in entries],
    }
    _write_private(Path(path), json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    with ledger.write() as session:
        ledger.audit.append(session, at=at, kind=AuditKind.SYNC_RESULT, operator_id=None,
                            payload={"stuck_export": len(entries),
                                     "entries": [e.entry_id for e in entries][:100]})
    return len(entries)


def _write_private(path: Path, content: str) -> None:
    if path.exists():
        raise FileExistsError(str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".stuck-", dir=path.parent)  # created 0600
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, stat.S_IRUSR | stat.S_IWUSR)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(tmp, path)  # fails if ``path`` appeared meanwhile: never overwrites
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
