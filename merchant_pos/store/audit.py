"""The hash-chained audit log.

Each row holds ``hash = SHA-256(content || previous hash)`` where ``content``
is the canonical JSON of ``[seq, at, kind, operator_id, payload]`` and the
first row's previous hash is 32 zero bytes. ``audit_head`` holds the last
(seq, hash) and is updated in the same transaction as every append, so a
truncated tail shows too. Appends happen inside the caller's ``BEGIN
IMMEDIATE`` transaction, which serialises them.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from merchant_pos.store.engine import raw_connection
from merchant_pos.store.models import AuditRow

GENESIS_HASH = "00" * 32


class AuditKind(StrEnum):
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    OPERATOR_LOCKED = "operator_locked"
    SESSION_UNLOCKED = "session_unlocked"
    OPERATOR_CREATED = "operator_created"
    REDEMPTION = "redemption"
    VOID = "void"
    SETTINGS_CHANGE = "settings_change"
    SYNC_RESULT = "sync_result"


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def chain_hash(seq: int, at: int, kind: str, operator_id: int | None, payload: str,
               prev_hash: str) -> str:
    content = canonical_json([seq, at, kind, operator_id, payload]).encode("utf-8")
    return hashlib.sha256(content + bytes.fromhex(prev_hash)).hexdigest()


@dataclass(frozen=True, slots=True)
class AuditHead:
    seq: int
    hash: str


@dataclass(frozen=True, slots=True)
class AuditVerification:
    """Result of checking the chain. ``first_bad_seq`` names the first row that fails."""

    ok: bool
    rows_checked: int
    first_bad_seq: int | None = None
    problem: str = ""

    def message(self, language: str = "zh_CN") -> str:
        if self.ok:
            return (f"审计记录完整，共 {self.rows_checked} 条" if language == "zh_CN"
                    else f"The audit trail is intact: {self.rows_checked} rows")
        if language == "zh_CN":
            return f"审计记录被改动：第 {self.first_bad_seq} 条起不可信（{self.problem}）"
        return (f"The audit trail was tampered with: row {self.first_bad_seq} "
                f"is the first bad row ({self.problem})")


class AuditLog:
    """Appends to and verifies the chain; every method takes the caller's session."""

    def head(self, session: Session | sqlite3.Connection) -> AuditHead:
        db = session if isinstance(session, sqlite3.Connection) else raw_connection(session)
        row = db.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
        return AuditHead(0, GENESIS_HASH) if row is None else AuditHead(row[0], row[1])

    def append(self, session: Session | sqlite3.Connection, *, at: int, kind: AuditKind | str,
               operator_id: int | None, payload: Mapping[str, Any]) -> AuditHead:
        """Add one row inside the caller's write transaction (session or raw connection)."""
        db = session if isinstance(session, sqlite3.Connection) else raw_connection(session)
        head = self.head(db)
        seq = head.seq + 1
        body = canonical_json(dict(payload))
        digest = chain_hash(seq, at, str(kind), operator_id, body, head.hash)
        db.execute("INSERT INTO audit_log (seq, at, kind, operator_id, payload, prev_hash, hash)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (seq, at, str(kind), operator_id, body, head.hash, digest))
        db.execute("INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT(id) "
                   "DO UPDATE SET seq = excluded.seq, hash = excluded.hash", (seq, digest))
        return AuditHead(seq, digest)

    def verify(self, session: Session) -> AuditVerification:
        """Walk the whole chain in seq order; stop at the first row that does not hold."""
        expected_seq, prev = 1, GENESIS_HASH
        checked = 0
        rows = session.execute(
            select(AuditRow.seq, AuditRow.at, AuditRow.kind, AuditRow.operator_id,
                   AuditRow.payload, AuditRow.prev_hash, AuditRow.hash)
            .order_by(AuditRow.seq).execution_options(yield_per=2000)
        )
        for seq, at, kind, operator_id, payload, prev_hash, digest in rows:
            if seq != expected_seq:
                bad = min(seq, expected_seq)
                return AuditVerification(False, checked, bad,
                                         f"row {expected_seq} is missing or out of order")
            if prev_hash != prev:
                return AuditVerification(False, checked, seq,
                                         "previous-hash link broken (row deleted or reordered)")
            if chain_hash(seq, at, kind, operator_id, payload, prev_hash) != digest:
                return AuditVerification(False, checked, seq, "content does not match its hash")
            checked += 1
            prev, expected_seq = digest, seq + 1
        head = self.head(session)
        if head.seq != checked or head.hash != prev:
            return AuditVerification(
                False, checked, checked + 1 if head.seq > checked else head.seq,
                f"chain ends at row {checked} but its head says row {head.seq} "
                "(rows truncated or head altered)")
        return AuditVerification(True, checked)
