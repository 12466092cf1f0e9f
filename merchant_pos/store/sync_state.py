"""Sync cursors, last-fresh times and small device settings (e.g. the clock offset)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from merchant_pos.store.models import SettingRow, SyncStateRow

if TYPE_CHECKING:
    from merchant_pos.store.ledger import Ledger


class SyncKind(StrEnum):
    """The kinds of data synced, each with its own cursor and freshness."""

    CONFIG = "config"
    TRUST = "trust"
    REVOCATIONS = "revocations"
    USAGE = "usage"
    PUSH = "push"


@dataclass(frozen=True, slots=True)
class SyncState:
    kind: str
    cursor: str | None
    last_fresh_at: int | None
    last_attempt_at: int | None
    last_error: str | None


def _upsert(session: Session, kind: str, **values: Any) -> None:
    stmt = sqlite_insert(SyncStateRow).values(kind=kind, **values)
    session.execute(stmt.on_conflict_do_update(index_elements=["kind"], set_=values))


class SyncStateStore:
    """Per kind: the cursor (stored only with the page it follows), and when it was fresh."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    @staticmethod
    def set_cursor_in(session: Session, kind: str, cursor: str) -> None:
        _upsert(session, kind, cursor=cursor)

    @staticmethod
    def mark_fresh_in(session: Session, kind: str, at: int) -> None:
        _upsert(session, kind, last_fresh_at=at, last_error=None)

    @staticmethod
    def mark_attempt_in(session: Session, kind: str, at: int, error: str | None) -> None:
        _upsert(session, kind, last_attempt_at=at, last_error=error)

    def state(self, kind: str) -> SyncState:
        with self.ledger.read() as session:
            row = session.get(SyncStateRow, kind)
            if row is None:
                return SyncState(kind, None, None, None, None)
            return SyncState(row.kind, row.cursor, row.last_fresh_at, row.last_attempt_at,
                             row.last_error)

    def cursor(self, kind: str) -> str | None:
        return self.state(kind).cursor

    def last_fresh(self, kind: str) -> int | None:
        return self.state(kind).last_fresh_at

    def mark_fresh(self, kind: str, at: int | None = None) -> None:
        with self.ledger.write() as session:
            self.mark_fresh_in(session, kind, self.ledger.clock() if at is None else at)

    def record_attempt(self, kind: str, at: int, error: str | None = None) -> None:
        """A sync attempt of ``kind`` at ``at``; ``error`` is None when it succeeded."""
        with self.ledger.write() as session:
            self.mark_attempt_in(session, kind, at, error)

    def all_states(self) -> list[SyncState]:
        with self.ledger.read() as session:
            rows = session.scalars(select(SyncStateRow).order_by(SyncStateRow.kind)).all()
            return [SyncState(r.kind, r.cursor, r.last_fresh_at, r.last_attempt_at,
                              r.last_error) for r in rows]

    def get_setting(self, key: str, default: Any = None) -> Any:
        with self.ledger.read() as session:
            row = session.get(SettingRow, key)
            return default if row is None else json.loads(row.value)

    def set_setting(self, key: str, value: Any) -> None:
        with self.ledger.write() as session:
            text = json.dumps(value, ensure_ascii=False)
            stmt = sqlite_insert(SettingRow).values(key=key, value=text)
            session.execute(stmt.on_conflict_do_update(index_elements=["key"],
                                                       set_={"value": text}))
