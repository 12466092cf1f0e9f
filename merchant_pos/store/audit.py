"""The keyed, hash-chained audit log.

Each row holds ``hash = HMAC-SHA256(device secret, content || previous hash)``
where ``content`` is the canonical JSON of ``[seq, at, kind, operator_id,
payload]`` and the first row's previous hash is 32 zero bytes. The device
secret (:mod:`merchant_pos.store.device_secret`) is outside the ledger file,
so whoever edits the file alone cannot recompute the chain. ``audit_head``
holds the last (seq, hash), is updated in the same transaction as every
append and only moves forward (a trigger refuses anything else). Appends
happen inside the caller's ``BEGIN IMMEDIATE`` transaction, which serialises
them.

Chains written before revision ``0003_i11a_keyed_audit`` used plain SHA-256.
:meth:`AuditLog.key_existing_chain` checks such a chain once and re-keys it,
appending a ``chain_keyed`` row that says how many rows were re-keyed and
whether the plain chain held (a broken plain chain stays reported).

:meth:`AuditLog.verify` walks the chain and then cross-checks it against the
ledger's tables (:mod:`merchant_pos.store.audit_books`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from merchant_pos.store.audit_findings import Finding, FindingId, finding_message
from merchant_pos.store.engine import raw_connection

GENESIS_HASH = "00" * 32


class AuditKind(StrEnum):
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    OPERATOR_LOCKED = "operator_locked"
    LOCKOUT_RESET = "lockout_reset"       # payload {"operator"}: failed attempts back to 0
    SESSION_UNLOCKED = "session_unlocked"
    OPERATOR_CREATED = "operator_created"
    OPERATOR_CHANGED = "operator_changed"  # payload {"operator", "role"?, "active"?, "name"?}
    PIN_CHANGED = "pin_changed"           # payload {"operator"}
    REDEMPTION = "redemption"
    VOID = "void"
    SETTINGS_CHANGE = "settings_change"
    SYNC_RESULT = "sync_result"
    TIME_ANOMALY = "time_anomaly"
    CHAIN_KEYED = "chain_keyed"
    ACTION_REFUSED = "action_refused"     # payload {"why", "action"}: e.g. a weak PIN first


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def chain_hash(seq: int, at: int, kind: str, operator_id: int | None, payload: str,
               prev_hash: str, key: bytes | None) -> str:
    """The row's link: HMAC-SHA256 with the device secret (``key=None``: the plain SHA-256
    of chains written before the keyed revision)."""
    content = canonical_json([seq, at, kind, operator_id, payload]).encode("utf-8")
    message = content + bytes.fromhex(prev_hash)
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class AuditHead:
    seq: int
    hash: str


@dataclass(frozen=True, slots=True)
class AuditVerification:
    """Result of checking the chain and the books. ``first_bad_seq`` names the first row
    of the chain that fails; ``findings`` every disagreement found."""

    ok: bool
    rows_checked: int
    first_bad_seq: int | None = None
    problem: str = ""
    findings: tuple[Finding, ...] = field(default=())

    def message(self, language: str = "zh_CN") -> str:
        if self.ok:
            return (f"审计记录完整，共 {self.rows_checked} 条，与账目一致" if language == "zh_CN"
                    else f"The audit trail is intact: {self.rows_checked} rows, "
                         "matching the books")
        lines = [finding_message(f, language) for f in self.findings[:50]]
        if len(self.findings) > 50:
            lines.append(f"…（另有 {len(self.findings) - 50} 处）" if language == "zh_CN"
                         else f"… ({len(self.findings) - 50} more)")
        return "\n".join(lines)


def _db(session: Session | sqlite3.Connection) -> sqlite3.Connection:
    return session if isinstance(session, sqlite3.Connection) else raw_connection(session)


class AuditLog:
    """Appends to and verifies the chain; every method takes the caller's session."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def head(self, session: Session | sqlite3.Connection) -> AuditHead:
        row = _db(session).execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
        return AuditHead(0, GENESIS_HASH) if row is None else AuditHead(row[0], row[1])

    def append(self, session: Session | sqlite3.Connection, *, at: int, kind: AuditKind | str,
               operator_id: int | None, payload: Mapping[str, Any]) -> AuditHead:
        """Add one row inside the caller's write transaction (session or raw connection)."""
        db = _db(session)
        head = self.head(db)
        seq = head.seq + 1
        body = canonical_json(dict(payload))
        digest = chain_hash(seq, at, str(kind), operator_id, body, head.hash, self._key)
        db.execute("INSERT INTO audit_log (seq, at, kind, operator_id, payload, prev_hash, hash)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (seq, at, str(kind), operator_id, body, head.hash, digest))
        db.execute("INSERT INTO audit_head (id, seq, hash, keyed) VALUES (1, ?, ?, 1) "
                   "ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
                   (seq, digest))
        return AuditHead(seq, digest)

    # -- checking ------------------------------------------------------------------------
    def walk(self, db: sqlite3.Connection, key: bytes | None) -> tuple[int, AuditHead,
                                                                      Finding | None]:
        """Walk the chain in seq order under ``key``; (rows that hold, last good link,
        the first failure or None). The head row is compared too."""
        expected_seq, prev, checked = 1, GENESIS_HASH, 0
        rows = db.execute("SELECT seq, at, kind, operator_id, payload, prev_hash, hash "
                          "FROM audit_log ORDER BY seq")
        for seq, at, kind, operator_id, payload, prev_hash, digest in rows:
            if seq != expected_seq:
                return checked, AuditHead(checked, prev), Finding(
                    FindingId.ROW_MISSING, min(seq, expected_seq), str(expected_seq))
            if prev_hash != prev:
                return checked, AuditHead(checked, prev), Finding(FindingId.LINK_BROKEN, seq)
            if chain_hash(seq, at, kind, operator_id, payload, prev_hash, key) != digest:
                return checked, AuditHead(checked, prev), Finding(FindingId.HASH_MISMATCH, seq)
            checked += 1
            prev, expected_seq = digest, seq + 1
        head = self.head(db)
        if head.seq != checked or head.hash != prev:
            return checked, AuditHead(checked, prev), Finding(
                FindingId.HEAD_MISMATCH, checked + 1 if head.seq > checked else head.seq,
                f"{checked}/{head.seq}")
        return checked, AuditHead(checked, prev), None

    def verify(self, session: Session | sqlite3.Connection) -> AuditVerification:
        """The chain (stops at the first row that does not hold), then the books."""
        from merchant_pos.store.audit_books import check_books

        db = _db(session)
        checked, _, broken = self.walk(db, self._key)
        findings: list[Finding] = [] if broken is None else [broken]
        findings += check_books(db)
        if not findings:
            return AuditVerification(True, checked)
        first = broken.seq if broken is not None else None
        return AuditVerification(False, checked, first,
                                 finding_message(findings[0], "en"), tuple(findings))

    # -- the one-time move from plain to keyed links ------------------------------------
    def key_existing_chain(self, db: sqlite3.Connection, at: int, *,
                           secret_is_new: bool) -> bool:
        """Re-key a chain written before the keyed revision (inside the caller's write
        transaction); True if anything was done.

        Only a chain marked unkeyed is touched, and only when the device secret was made
        just now: an unkeyed chain in a folder whose secret already existed was put back
        by someone, and stays unkeyed so ``verify`` reports it.
        """
        row = db.execute("SELECT keyed FROM audit_head WHERE id = 1").fetchone()
        if row is not None and row[0]:
            return False
        count = db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
        if count and not secret_is_new:
            return False
        if not count:
            db.execute("INSERT INTO audit_head (id, seq, hash, keyed) VALUES (1, 0, ?, 1) "
                       "ON CONFLICT(id) DO UPDATE SET keyed = 1", (GENESIS_HASH,))
            return True
        held, plain_head, broken = self.walk(db, None)
        prev = GENESIS_HASH
        rows = db.execute("SELECT seq, at, kind, operator_id, payload FROM audit_log "
                          "ORDER BY seq").fetchall()
        for seq, row_at, kind, operator_id, payload in rows:
            digest = chain_hash(seq, row_at, kind, operator_id, payload, prev, self._key)
            db.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?",
                       (prev, digest, seq))
            prev = digest
        last_seq = rows[-1][0]
        db.execute("UPDATE audit_head SET seq = ?, hash = ?, keyed = 1 WHERE id = 1",
                   (last_seq, prev))
        from merchant_pos.store.audit_books import baseline

        self.append(db, at=at, kind=AuditKind.CHAIN_KEYED, operator_id=None, payload={
            **baseline(db), "rows": len(rows), "plain_head": plain_head.hash,
            "plain_rows_held": held,
            "plain_problem": None if broken is None else broken.id.value,
            "plain_first_bad": None if broken is None else broken.seq})
        return True
