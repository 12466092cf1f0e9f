"""Staff management: who may work this counter, their PINs, their locks.

Supervisors add and remove (deactivate) cashiers and supervisors, set PINs,
see who is locked and unlock them; every change is one audit row written in
the same transaction. The rules hold here, not in a window: a new PIN must
pass :mod:`merchant_pos.store.pin_policy`, the last active supervisor cannot
be removed, and the acting supervisor is re-read from the ledger each time.

A locked supervisor with no other supervisor at hand has two ways back: the
shop's recovery code (shown once when the first supervisor is created, kept
only as a salted scrypt hash, used once and then replaced) and a one-time
unlock code from the server's admin (:mod:`merchant_pos.domain.unlock_code`).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from merchant_pos.domain.unlock_code import check_unlock_code, parse_unlock_code
from merchant_pos.store.audit import AuditKind
from merchant_pos.store.errors import LedgerError, LedgerErrorId
from merchant_pos.store.ledger import Ledger
from merchant_pos.store.models import OperatorRole, OperatorRow, SettingRow
from merchant_pos.store.operators import Operator, OperatorRegistry
from merchant_pos.store.pin_policy import check_new_pin

RECOVERY_HASH = "staff.recovery_code_hash"
RECOVERY_KEY = "staff.recovery_code_key"  # fingerprint of the device secret that keyed it
USED_UNLOCK_CODES = "staff.used_unlock_codes"
SYNCED_POLICIES = "sync.policies"  # where the sync engine keeps the config's policies
RECOVERY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
RECOVERY_CODE_LENGTH = len("XXXX-XXXX-XXXX-XXXX")  # a server unlock code is longer
UnlockKey = Callable[[], "tuple[str, bytes] | None"]  # → (device id, key) when enrolled


class StaffAudit(StrEnum):
    """Audit kinds of staff events that change no operator row (those use
    :class:`AuditKind`'s operator_changed / pin_changed / lockout_reset, which
    ``audit verify`` replays against the operators table)."""

    RECOVERY_CODE_ISSUED = "recovery_code_issued"
    UNLOCK_REFUSED = "unlock_refused"


@dataclass(frozen=True, slots=True)
class StaffMember:
    id: int
    name: str
    role: OperatorRole
    active: bool
    failed_attempts: int
    locked_until: int | None
    must_change_pin: bool = False  # signed in with a weak PIN from before the rule

    def is_locked(self, now: int) -> bool:
        return self.locked_until is not None and now < self.locked_until


@dataclass(frozen=True, slots=True)
class FirstSupervisor:
    operator: Operator
    recovery_code: str  # show it once; only its hash is kept


def new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(16))  # 4 groups of 4
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def normalise_recovery_code(text: str) -> str:
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def _member(row: OperatorRow) -> StaffMember:
    return StaffMember(row.id, row.name, OperatorRole(row.role), bool(row.active),
                       row.failed_attempts, row.locked_until, bool(row.must_change_pin))


def _setting(session: Session, key: str, default: Any = None) -> Any:
    row = session.get(SettingRow, key)
    return default if row is None else json.loads(row.value)


def _put_setting(session: Session, key: str, value: Any) -> None:
    session.merge(SettingRow(key=key, value=json.dumps(value, ensure_ascii=False)))


class StaffManager:
    """The supervisor's staff screen and the ``merchant-pos staff`` command, on the ledger."""

    def __init__(self, registry: OperatorRegistry, unlock_key: UnlockKey | None = None) -> None:
        self.registry = registry
        self.ledger: Ledger = registry.ledger
        self.unlock_key = unlock_key

    # -- reading ------------------------------------------------------------------------
    def members(self, include_removed: bool = False) -> list[StaffMember]:
        with self.ledger.read() as session:
            query = select(OperatorRow).order_by(OperatorRow.role.desc(), OperatorRow.name)
            if not include_removed:
                query = query.where(OperatorRow.active)
            return [_member(r) for r in session.scalars(query)]

    def name_of(self, operator_id: int) -> str | None:
        """The operator's name, removed ones too (their redemptions still show it)."""
        with self.ledger.read() as session:
            return session.scalar(select(OperatorRow.name).where(OperatorRow.id == operator_id))

    def member(self, name: str) -> StaffMember:
        with self.ledger.read() as session:
            return _member(self._row(session, name))

    # -- first run ------------------------------------------------------------------------
    def create_first_supervisor(self, name: str, pin: str) -> FirstSupervisor:
        """The first supervisor (strong PIN) and the shop's recovery code, shown once."""
        check_new_pin(pin)
        operator = self.registry.create_first_supervisor(name, pin)
        return FirstSupervisor(operator, self._issue_recovery_code(operator.id))

    def new_recovery_code(self, by: Operator) -> str:
        """A supervisor replaces the recovery code (the old one stops working)."""
        self.registry.require_pin_current(by, "staff")
        with self.ledger.read() as session:
            self._supervisor(session, by)
        return self._issue_recovery_code(by.id)

    def _issue_recovery_code(self, by_id: int) -> str:
        code = new_recovery_code()
        stored = self.registry.hasher.hash(code)
        with self.ledger.write() as session:
            _put_setting(session, RECOVERY_HASH, stored)
            _put_setting(session, RECOVERY_KEY, self.registry.pin_key)
            self._audit(session, StaffAudit.RECOVERY_CODE_ISSUED, by_id, {})
        return code

    # -- changes (one transaction and one audit row each) ---------------------------------
    def add(self, by: Operator, name: str, role: OperatorRole, pin: str) -> Operator:
        check_new_pin(pin)
        self.registry.require_pin_current(by, "staff")
        with self.ledger.read() as session:
            self._supervisor(session, by)
        return self.registry.add_operator(by, name, role, pin)

    def remove(self, by: Operator, name: str) -> StaffMember:
        """Deactivate ``name``: it can no longer sign in; its redemptions keep its name."""
        self.registry.require_pin_current(by, "staff")
        with self.ledger.write() as session:
            self._supervisor(session, by)
            row = self._row(session, name)
            if row.role == OperatorRole.SUPERVISOR.value:
                supervisors = session.scalar(
                    select(func.count()).select_from(OperatorRow).where(
                        OperatorRow.active, OperatorRow.role == OperatorRole.SUPERVISOR.value))
                if (supervisors or 0) <= 1:
                    raise LedgerError(LedgerErrorId.LAST_SUPERVISOR, name)
            row.active = False
            self._audit(session, AuditKind.OPERATOR_CHANGED, by.id,
                        {"operator": row.id, "name": row.name, "active": False})
            return _member(row)

    def set_pin(self, by: Operator, name: str, new_pin: str) -> None:
        """A supervisor sets (resets) someone's PIN; it also clears a lockout. A supervisor
        whose weak PIN must change may set only their own PIN."""
        check_new_pin(new_pin)
        if name.strip() != by.name:
            self.registry.require_pin_current(by, "staff")
        fields = self.registry.new_pin_fields(new_pin)
        with self.ledger.write() as session:
            self._supervisor(session, by)
            row = self._row(session, name)
            _set_pin(row, fields)
            self._audit(session, AuditKind.PIN_CHANGED, by.id,
                        {"operator": row.id, "by": "supervisor"})
            self._clear_lock(session, row, by.id, "new_pin")

    def change_own_pin(self, name: str, old_pin: str, new_pin: str) -> None:
        """An operator changes their own PIN (required after a weak one)."""
        check_new_pin(new_pin)
        operator = self.registry.authenticate(name, old_pin)
        fields = self.registry.new_pin_fields(new_pin)
        with self.ledger.write() as session:
            row = self._row(session, operator.name)
            _set_pin(row, fields)
            self._audit(session, AuditKind.PIN_CHANGED, operator.id,
                        {"operator": row.id, "by": "self"})

    def unlock(self, by: Operator, name: str) -> None:
        """A supervisor clears someone's lockout at once."""
        self.registry.require_pin_current(by, "staff")
        with self.ledger.write() as session:
            self._supervisor(session, by)
            self._clear_lock(session, self._row(session, name), by.id, "supervisor")

    def unlock_with_recovery_code(self, name: str, code: str) -> str:
        """Unlock ``name`` with the recovery code; returns the NEW code (the old is used up)."""
        with self.ledger.read() as session:
            stored = _setting(session, RECOVERY_HASH)
            stored_key = _setting(session, RECOVERY_KEY)
            self._row(session, name)
        if not stored or not self.registry.hasher.check(normalise_recovery_code(code), stored):
            self._refused(name, "recovery_code")
            if stored and stored_key not in (None, self.registry.pin_key):
                # Keyed with a device secret this counter lost: no code can match now.
                raise LedgerError(LedgerErrorId.RECOVERY_KEY_CHANGED, name)
            raise LedgerError(LedgerErrorId.BAD_RECOVERY_CODE, name)
        fresh = new_recovery_code()
        fresh_hash = self.registry.hasher.hash(fresh)
        with self.ledger.write() as session:
            if _setting(session, RECOVERY_HASH) != stored:  # used at the same moment elsewhere
                raise LedgerError(LedgerErrorId.BAD_RECOVERY_CODE, name)
            row = self._row(session, name)
            self._clear_lock(session, row, row.id, "recovery_code")
            _put_setting(session, RECOVERY_HASH, fresh_hash)
            _put_setting(session, RECOVERY_KEY, self.registry.pin_key)
            self._audit(session, StaffAudit.RECOVERY_CODE_ISSUED, row.id, {"after": "use"})
        return fresh

    def unlock_with_server_code(self, name: str, text: str, new_pin: str | None = None) -> None:
        """Unlock ``name`` with a one-time code from ``merchant-pos-server device unlock-code``,
        and set ``new_pin`` when given (the way back when the device secret was lost and
        no stored PIN or recovery code checks any more). The code is keyed by the device
        token, not by the device secret, so it works either way."""
        key = self.unlock_key() if self.unlock_key is not None else None
        code = parse_unlock_code(text)
        fields = self.registry.new_pin_fields(check_new_pin(new_pin)) if new_pin else None
        now = self.ledger.clock()
        if key is None and code is not None:
            self._refused(name, "server_code_no_token")
            raise LedgerError(LedgerErrorId.UNLOCK_NEEDS_ENROLLMENT, name)
        with self.ledger.write() as session:
            row = self._row(session, name)
            used: list[list[Any]] = [u for u in _setting(session, USED_UNLOCK_CODES, [])
                                     if isinstance(u, list) and len(u) == 2 and u[1] >= now]
            if (key is None or code is None or any(u[0] == code.fingerprint for u in used)
                    or not check_unlock_code(code, key[1], key[0], row.name, now)):
                self._audit(session, StaffAudit.UNLOCK_REFUSED, row.id, {"how": "server_code"})
                failure = LedgerError(LedgerErrorId.BAD_UNLOCK_CODE, name)
            else:
                _put_setting(session, USED_UNLOCK_CODES, [*used, [code.fingerprint,
                                                                  code.expires]])
                self._clear_lock(session, row, row.id, "server_code")
                if fields is not None:
                    _set_pin(row, fields)
                    self._audit(session, AuditKind.PIN_CHANGED, row.id,
                                {"operator": row.id, "by": "server_code"})
                return
        raise failure

    # -- helpers ----------------------------------------------------------------------------
    def _row(self, session: Session, name: str) -> OperatorRow:
        row = session.scalars(select(OperatorRow).where(OperatorRow.name == name.strip(),
                                                        OperatorRow.active)).first()
        if row is None:
            raise LedgerError(LedgerErrorId.UNKNOWN_OPERATOR, name)
        return row

    def _supervisor(self, session: Session, by: Operator) -> None:
        row = session.get(OperatorRow, by.id)
        if row is None or not row.active or row.role != OperatorRole.SUPERVISOR.value:
            raise LedgerError(LedgerErrorId.SUPERVISOR_REQUIRED, by.name)

    def _clear_lock(self, session: Session, row: OperatorRow, by_id: int, how: str) -> None:
        row.failed_attempts, row.locked_until = 0, None
        self._audit(session, AuditKind.LOCKOUT_RESET, by_id, {"operator": row.id, "how": how})

    def _refused(self, name: str, how: str) -> None:
        with self.ledger.write() as session:
            self._audit(session, StaffAudit.UNLOCK_REFUSED, None,
                        {"name": name[:64], "how": how})

    def _audit(self, session: Session, kind: StaffAudit | AuditKind, operator_id: int | None,
               payload: dict[str, Any]) -> None:
        self.ledger.audit.append(session, at=self.ledger.clock(), kind=kind,
                                 operator_id=operator_id, payload=payload)


def _set_pin(row: OperatorRow, fields: dict[str, object]) -> None:
    for column, value in fields.items():
        setattr(row, column, value)


def idle_lock_seconds(ledger: Ledger, default_minutes: int = 15) -> int:
    """The server's ``idle_lock_minutes`` policy from the last synced config, in seconds."""
    with ledger.read() as session:
        policies = _setting(session, SYNCED_POLICIES, {})
    minutes = policies.get("idle_lock_minutes") if isinstance(policies, dict) else None
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 1440:
        minutes = default_minutes
    return minutes * 60
