"""What a beneficiary has already drawn: our own draws plus the server's usage records.

Server records are keyed by (rid, ent), so a page applied twice changes
nothing. The server judges a beneficiary's history by re-quoting it in time
order and may allocate one of our redemptions to other entitlements than we
drew (we picked voucher v1 offline, another shop had used it: the server
books v2). So once the server has accepted (or flagged) one of our
redemptions, its records for it replace our own draws. While a redemption is
unacknowledged, or voided here, our own row decides (a void here must return
the draw even if the server echoed the redemption before it learnt of it).

A page is applied in order: a record with ``voided`` withdraws what we hold
for its rid (a void, or the server re-allocating it; the new draws follow).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from merchant_pos.domain.quote import UsageRecord
from merchant_pos.store.engine import raw_connection
from merchant_pos.store.ledger import Ledger
from merchant_pos.store.models import UsageRecordRow
from merchant_pos.store.sync_state import SyncKind, SyncStateStore
from merchant_pos.store.usage_totals import BY_BENEFICIARY, tracked


@dataclass(frozen=True, slots=True)
class ServerUsage:
    """One usage record as the server sends it (``voided`` withdraws the rid's draws)."""

    rid: str
    iss: str
    sub: str
    ent: str
    amount: int
    units: int
    at: int
    voided: bool = False


def usage_for(db: Session | sqlite3.Connection, iss: str, sub: str) -> list[UsageRecord]:
    """Every counted draw on (iss, sub), deduplicated by redemption id."""
    raw = db if isinstance(db, sqlite3.Connection) else raw_connection(db)
    rows = raw.execute(BY_BENEFICIARY, {"iss": iss, "sub": sub}).fetchall()
    return [UsageRecord(ent, amount, units, at, rid)
            for _iss, _sub, ent, amount, units, at, rid in rows]


class UsageLedger:
    """Reads usage for the quote; applies the server's usage pages with their cursor."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def usage(self, iss: str, sub: str) -> list[UsageRecord]:
        with self.ledger.read_raw() as db:
            return usage_for(db, iss, sub)

    def apply_usage_page(self, records: Iterable[ServerUsage], cursor: str | None) -> int:
        """Store one page (idempotent) and then its cursor, atomically. Returns rows added."""
        now = self.ledger.clock()
        records = list(records)
        added = 0
        # In order: what a rid holds at the end of the page, and whether it was withdrawn.
        withdrawn: set[str] = set()
        final: dict[str, dict[str, ServerUsage]] = {}
        for r in records:
            if r.voided:
                withdrawn.add(r.rid)
                final.pop(r.rid, None)
            else:
                final.setdefault(r.rid, {})[r.ent] = r
        with self.ledger.write() as session, tracked(
                raw_connection(session), withdrawn | final.keys()):
            for rid in withdrawn:
                session.execute(delete(UsageRecordRow).where(UsageRecordRow.rid == rid))
            rows = [{"rid": r.rid, "ent": r.ent, "iss": r.iss, "sub": r.sub,
                     "amount": r.amount, "units": r.units, "at": r.at, "received_at": now}
                    for held in final.values() for r in held.values()]
            if rows:
                result = session.connection().execute(
                    sqlite_insert(UsageRecordRow).on_conflict_do_nothing(), rows)
                added = max(result.rowcount, 0)
            if cursor is not None:
                SyncStateStore.set_cursor_in(session, SyncKind.USAGE, cursor)
            SyncStateStore.mark_fresh_in(session, SyncKind.USAGE, now)
        return added
