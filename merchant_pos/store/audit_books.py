"""The books against the audit chain, both ways.

Every redemption, void and outbox entry must have its audit row with the same
covered, pays and total (not which voucher was drawn: the server may
re-allocate); every audit row of a redemption or void must have its row in
the books. Operators are replayed from their audit rows (created, changed,
sign-ins, failures, lockouts and resets) and must end where the table says
(role, failed PIN attempts, lockout); the merchant profile (what this counter
may redeem) must equal the last one audited. Read-only; one pass per table.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from merchant_pos.store.audit_findings import Finding, FindingId
from merchant_pos.store.usage_totals import check as check_usage_totals

LOCKOUT_SECONDS = 30 * 60  # as in operators.py: rows from before payloads carried it
_MONEY = ("covered", "pays", "total")
_PROFILE_FIELDS = {"merchant_id": "merchant_id", "device_id": "device_id", "kind": "kind",
                   "time_zone": "time_zone", "programs": "programs_json",
                   "categories": "categories_json"}


@dataclass
class _Audited:
    redemptions: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    voids: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    operators: dict[int, dict[str, Any]] = field(default_factory=dict)
    created_at_seq: dict[int, int] = field(default_factory=dict)
    profile: dict[str, Any] | None = None
    findings: list[Finding] = field(default_factory=list)


def _payload(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _replay(db: sqlite3.Connection) -> _Audited:
    seen = _Audited()
    head = db.execute("SELECT keyed FROM audit_head WHERE id = 1").fetchone()
    rows = db.execute("SELECT seq, at, kind, operator_id, payload FROM audit_log ORDER BY seq")
    any_rows = False
    for seq, at, kind, operator_id, text in rows:
        any_rows = True
        p = _payload(text)
        if kind == "redemption" and "id" in p:
            seen.redemptions[str(p["id"])] = (seq, p)
        elif kind == "void" and "id" in p:
            seen.voids[str(p["id"])] = (seq, p)
        elif kind == "chain_keyed":
            _seed_from_baseline(seen, seq, p)
        elif kind == "settings_change" and p.get("what") == "merchant_profile":
            seen.profile = {**(seen.profile or {}), **dict(p.get("changed") or {})}
        else:
            _replay_operator(seen, seq, at, kind, operator_id, p)
    if any_rows and (head is None or not head[0]):
        seen.findings.append(Finding(FindingId.NOT_KEYED))
    return seen


def baseline(db: sqlite3.Connection) -> dict[str, Any]:
    """Operators and the merchant profile as found when a plain chain is keyed (rows from
    before the keyed revision did not audit them): the replay starts from here."""
    operators = [{"operator": r[0], "name": r[1], "role": r[2], "failed": r[3],
                  "locked": r[4], "active": bool(r[5])} for r in db.execute(
        "SELECT id, name, role, failed_attempts, locked_until, active FROM operators")]
    row = db.execute("SELECT merchant_id, device_id, kind, time_zone, programs_json, "
                     "categories_json FROM merchant_profile WHERE id = 1").fetchone()
    profile = None if row is None else {
        name: (json.loads(value) if column.endswith("_json") else value)
        for (name, column), value in zip(_PROFILE_FIELDS.items(), row, strict=True)}
    return {"operators": operators, "profile": profile}


def _seed_from_baseline(seen: _Audited, seq: int, p: dict[str, Any]) -> None:
    if p.get("plain_problem"):
        seen.findings.append(Finding(FindingId.PLAIN_CHAIN_WAS_BROKEN, p.get("plain_first_bad")))
    for op in p.get("operators") or ():
        seen.operators[int(op["operator"])] = {key: op.get(key) for key in (
            "name", "role", "failed", "locked", "active")}
        seen.created_at_seq[int(op["operator"])] = seq
    if p.get("profile"):
        seen.profile = dict(p["profile"])


def _replay_operator(seen: _Audited, seq: int, at: int, kind: str, operator_id: int | None,
                     p: dict[str, Any]) -> None:
    if kind == "operator_created" and "operator" in p:
        op = int(p["operator"])
        seen.operators[op] = {"name": p.get("name"), "role": p.get("role"), "failed": 0,
                              "locked": None, "active": True}
        seen.created_at_seq[op] = seq
        return
    target = int(p["operator"]) if kind in ("operator_changed", "lockout_reset",
                                            "pin_changed") and "operator" in p else operator_id
    state = seen.operators.get(target) if target is not None else None
    if state is None:
        return
    if kind == "sign_in" or kind == "lockout_reset":
        state["failed"], state["locked"] = 0, None
    elif kind == "sign_in_failed" and p.get("why") == "wrong_pin":
        state["failed"], state["locked"] = int(p.get("failed_attempts", 0)), None
    elif kind == "operator_locked":
        state["failed"] = int(p.get("failed_attempts", 0))
        state["locked"] = int(p.get("locked_until", at + LOCKOUT_SECONDS))
    elif kind == "operator_changed":
        for key in ("role", "active", "name"):
            if key in p:
                state[key] = p[key]


def check_books(db: sqlite3.Connection) -> list[Finding]:
    seen = _replay(db)
    out = list(seen.findings)
    out += _check_redemptions(db, seen)
    out += _check_voids(db, seen)
    out += _check_outbox(db, seen)
    out += _check_operators(db, seen)
    out += _check_profile(db, seen)
    out += check_usage_totals(db)
    return out


def _check_redemptions(db: sqlite3.Connection, seen: _Audited) -> Iterator[Finding]:
    lines = dict(db.execute("SELECT redemption_id, sum(covered) FROM redemption_lines "
                            "GROUP BY redemption_id").fetchall())
    voided = {r[0] for r in db.execute("SELECT redemption_id FROM voids")}
    present: set[str] = set()
    for rid, receipt_no, covered, pays, total, status in db.execute(
            "SELECT id, receipt_no, covered, pays, total, status FROM redemptions"):
        present.add(rid)
        audited = seen.redemptions.get(rid)
        if audited is None:
            yield Finding(FindingId.REDEMPTION_NOT_AUDITED, None, receipt_no)
            continue
        seq, p = audited
        mine = {"covered": covered, "pays": pays, "total": total, "receipt_no": receipt_no}
        if any(key in p and p[key] != mine[key] for key in (*_MONEY, "receipt_no")):
            yield Finding(FindingId.REDEMPTION_DIFFERS, seq, receipt_no)
        if lines.get(rid, 0) != covered:
            yield Finding(FindingId.LINES_DIFFER, seq, receipt_no)
        if (status == "voided") != (rid in voided):
            yield Finding(FindingId.VOID_STATUS_DIFFERS, seq, receipt_no)
    for rid, (seq, p) in seen.redemptions.items():
        if rid not in present:
            yield Finding(FindingId.AUDITED_REDEMPTION_MISSING, seq, str(p.get("receipt_no", rid)))


def _check_voids(db: sqlite3.Connection, seen: _Audited) -> Iterator[Finding]:
    present: set[str] = set()
    for void_id, rid in db.execute("SELECT id, redemption_id FROM voids"):
        present.add(void_id)
        audited = seen.voids.get(void_id)
        if audited is None or audited[1].get("redemption_id") != rid:
            yield Finding(FindingId.VOID_NOT_AUDITED, None if audited is None else audited[0],
                          void_id)
    for void_id, (seq, p) in seen.voids.items():
        if void_id not in present:
            yield Finding(FindingId.AUDITED_VOID_MISSING, seq,
                          str(p.get("receipt_no") or void_id))


def _check_outbox(db: sqlite3.Connection, seen: _Audited) -> Iterator[Finding]:
    present: set[str] = set()
    for entry_id, kind, rid, text in db.execute(
            "SELECT entry_id, kind, redemption_id, payload FROM outbox"):
        present.add(entry_id)
        audited = (seen.redemptions if kind == "redemption" else seen.voids).get(entry_id)
        if audited is None:
            yield Finding(FindingId.OUTBOX_NOT_AUDITED, None, entry_id)
            continue
        seq, p = audited
        body = _payload(text) if text else {}  # the payload may be gone after its answer
        wrong_target = kind == "void" and p.get("redemption_id") != rid
        if wrong_target or any(key in p and key in body and p[key] != body[key]
                               for key in _MONEY):
            yield Finding(FindingId.OUTBOX_DIFFERS, seq, entry_id)
    for audited_map in (seen.redemptions, seen.voids):
        for entry_id, (seq, p) in audited_map.items():
            if entry_id not in present:
                yield Finding(FindingId.OUTBOX_ENTRY_MISSING, seq,
                              str(p.get("receipt_no") or entry_id))


def _check_operators(db: sqlite3.Connection, seen: _Audited) -> Iterator[Finding]:
    present: set[int] = set()
    for op_id, name, role, failed, locked, active in db.execute(
            "SELECT id, name, role, failed_attempts, locked_until, active FROM operators"):
        present.add(op_id)
        state = seen.operators.get(op_id)
        if state is None:
            yield Finding(FindingId.OPERATOR_NOT_AUDITED, None, name)
            continue
        if (state["role"], state["failed"], state["locked"], bool(state["active"]),
                state["name"]) != (role, failed, locked, bool(active), name):
            yield Finding(FindingId.OPERATOR_DIFFERS, seen.created_at_seq.get(op_id), name)
    for op_id, state in seen.operators.items():
        if op_id not in present:
            yield Finding(FindingId.AUDITED_OPERATOR_MISSING, seen.created_at_seq.get(op_id),
                          str(state["name"]))


def _check_profile(db: sqlite3.Connection, seen: _Audited) -> Iterator[Finding]:
    row = db.execute("SELECT merchant_id, device_id, kind, time_zone, programs_json, "
                     "categories_json FROM merchant_profile WHERE id = 1").fetchone()
    if row is None:
        return
    table = dict(zip(_PROFILE_FIELDS.values(), row, strict=True))
    audited = seen.profile or {}
    for name, column in _PROFILE_FIELDS.items():
        value = table[column]
        if column.endswith("_json"):
            value = json.loads(value)
        want = audited.get(name)
        if isinstance(want, tuple):
            want = list(want)
        if want != value:
            yield Finding(FindingId.PROFILE_DIFFERS, None, name)
