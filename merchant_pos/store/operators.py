"""Operators (cashiers and supervisors): scrypt PINs, lockout, idle-locked sessions.

PINs are stored only as ``scrypt$N$r$p$salt$hash`` (salt and hash in hex).
Ten wrong PINs in a row lock an operator for 30 minutes; a signed-in session
locks itself after 15 idle minutes. The clock is the ledger's (injected), so
tests move time instead of waiting.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from merchant_pos.store.audit import AuditKind
from merchant_pos.store.errors import LedgerError, LedgerErrorId, WrongPin
from merchant_pos.store.ledger import Clock, Ledger
from merchant_pos.store.models import OperatorRole, OperatorRow
from merchant_pos.store.pin_policy import check_new_pin, is_weak_pin

MAX_FAILED_ATTEMPTS = 10
LOCKOUT_SECONDS = 30 * 60
IDLE_LOCK_SECONDS = 15 * 60
_PIN = re.compile(r"^[0-9]{4,12}$")


@dataclass(frozen=True, slots=True)
class PinHasher:
    """Salted scrypt. The defaults cost ~16 MiB and tens of ms per check, on purpose."""

    n: int = 2**14
    r: int = 8
    p: int = 1

    def hash(self, pin: str) -> str:
        salt = os.urandom(16)
        digest = self._scrypt(pin, salt, self.n, self.r, self.p)
        return f"scrypt${self.n}${self.r}${self.p}${salt.hex()}${digest.hex()}"

    @staticmethod
    def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
        return hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=32,
                              maxmem=256 * 1024 * 1024)

    def check(self, pin: str, stored: str) -> bool:
        try:
            scheme, n, r, p, salt, digest = stored.split("$")
            if scheme != "scrypt":
                return False
            got = self._scrypt(pin, bytes.fromhex(salt), int(n), int(r), int(p))
        except ValueError:
            return False
        return hmac.compare_digest(got, bytes.fromhex(digest))


@dataclass(frozen=True, slots=True)
class Operator:
    id: int
    name: str
    role: OperatorRole

    @property
    def is_supervisor(self) -> bool:
        return self.role is OperatorRole.SUPERVISOR


class OperatorSession:
    """A signed-in operator at the counter; locks after ``idle_seconds`` without activity."""

    def __init__(self, operator: Operator, clock: Clock,
                 idle_seconds: int = IDLE_LOCK_SECONDS) -> None:
        self.operator = operator
        self._clock = clock
        self.idle_seconds = idle_seconds
        self.last_active = clock()
        self._locked = False
        # Signed in with a PIN from before the strength rule: the counter asks for a new one.
        self.must_change_pin = False

    @property
    def is_locked(self) -> bool:
        if not self._locked and self._clock() - self.last_active >= self.idle_seconds:
            self._locked = True
        return self._locked

    def lock(self) -> None:
        self._locked = True

    def touch(self) -> None:
        """The operator did something (a key, a click, a scan): the idle timer restarts."""
        if not self.is_locked:
            self.last_active = self._clock()

    def idle_for(self) -> int:
        return self._clock() - self.last_active

    def ensure_active(self) -> Operator:
        """The operator, after marking activity; raises SESSION_LOCKED once idle too long."""
        if self.is_locked:
            raise LedgerError(LedgerErrorId.SESSION_LOCKED, self.operator.name)
        self.last_active = self._clock()
        return self.operator

    def _unlocked(self) -> None:
        self._locked = False
        self.last_active = self._clock()


def _operator(row: OperatorRow) -> Operator:
    return Operator(row.id, row.name, OperatorRole(row.role))


def _check_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 64:
        raise LedgerError(LedgerErrorId.BAD_OPERATOR_NAME)
    return name


def _check_pin(pin: str) -> None:
    if not isinstance(pin, str) or not _PIN.match(pin):
        raise LedgerError(LedgerErrorId.BAD_PIN_FORMAT)


class OperatorRegistry:
    """Creates operators and checks PINs, with lockout and an audit entry for each try."""

    def __init__(self, ledger: Ledger, hasher: PinHasher | None = None,
                 idle_seconds: int = IDLE_LOCK_SECONDS, *,
                 require_strong_pins: bool = False) -> None:
        self.ledger = ledger
        self.hasher = hasher or PinHasher()
        self.idle_seconds = idle_seconds
        # The counter (app.open_pos) refuses guessable new PINs here too, not only in
        # store/staff.py; fixtures with older PINs build a registry without it.
        self.require_strong_pins = require_strong_pins

    def needs_first_supervisor(self) -> bool:
        with self.ledger.read() as session:
            return not session.scalar(select(func.count()).select_from(OperatorRow))

    def create_first_supervisor(self, name: str, pin: str) -> Operator:
        """First run only: creates the first supervisor (refused once any operator exists)."""
        name = _check_name(name)
        _check_pin(pin)
        if self.require_strong_pins:
            check_new_pin(pin)
        pin_hash = self.hasher.hash(pin)
        with self.ledger.write() as session:
            if session.scalar(select(func.count()).select_from(OperatorRow)):
                raise LedgerError(LedgerErrorId.FIRST_SUPERVISOR_EXISTS)
            return self._insert(session, name, OperatorRole.SUPERVISOR, pin_hash, None)

    def add_operator(self, by: OperatorSession | Operator, name: str, role: OperatorRole,
                     pin: str) -> Operator:
        """A supervisor (signed in, or just authorised by PIN) adds a cashier or supervisor."""
        actor = by.ensure_active() if isinstance(by, OperatorSession) else by
        if not actor.is_supervisor:
            raise LedgerError(LedgerErrorId.SUPERVISOR_REQUIRED)
        name = _check_name(name)
        _check_pin(pin)
        if self.require_strong_pins:
            check_new_pin(pin)
        pin_hash = self.hasher.hash(pin)
        with self.ledger.write() as session:
            if session.scalar(select(OperatorRow.id).where(OperatorRow.name == name)):
                raise LedgerError(LedgerErrorId.OPERATOR_EXISTS, name)
            return self._insert(session, name, role, pin_hash, actor.id)

    def _insert(self, session: Session, name: str, role: OperatorRole, pin_hash: str,
                by: int | None) -> Operator:
        now = self.ledger.clock()
        row = OperatorRow(name=name, role=role.value, pin_hash=pin_hash, failed_attempts=0,
                          locked_until=None, active=True, created_at=now)
        session.add(row)
        session.flush()
        self.ledger.audit.append(session, at=now, kind=AuditKind.OPERATOR_CREATED,
                                 operator_id=by,
                                 payload={"operator": row.id, "name": name, "role": role.value})
        return _operator(row)

    def operators(self) -> list[Operator]:
        with self.ledger.read() as session:
            rows = session.scalars(select(OperatorRow).where(OperatorRow.active)
                                   .order_by(OperatorRow.name)).all()
            return [_operator(r) for r in rows]

    def authenticate(self, name: str, pin: str) -> Operator:
        """Check a PIN, counting failures; raises WRONG_PIN, OPERATOR_LOCKED or UNKNOWN_OPERATOR.

        The failure count and the audit entry are committed even though the
        call raises: a refused attempt must leave its trace.
        """
        now = self.ledger.clock()
        failure: LedgerError | None = None
        with self.ledger.write() as session:
            row = session.scalars(select(OperatorRow).where(OperatorRow.name == name.strip(),
                                                            OperatorRow.active)).first()
            if row is None:
                self.ledger.audit.append(session, at=now, kind=AuditKind.SIGN_IN_FAILED,
                                         operator_id=None,
                                         payload={"name": name[:64], "why": "unknown"})
                failure = LedgerError(LedgerErrorId.UNKNOWN_OPERATOR, name)
            elif row.locked_until is not None and now < row.locked_until:
                self.ledger.audit.append(session, at=now, kind=AuditKind.SIGN_IN_FAILED,
                                         operator_id=row.id, payload={"why": "locked"})
                failure = LedgerError(LedgerErrorId.OPERATOR_LOCKED, name)
            elif not self.hasher.check(pin, row.pin_hash):
                if row.locked_until is not None:  # an expired lock starts a fresh count
                    row.locked_until, row.failed_attempts = None, 0
                row.failed_attempts += 1
                locked = row.failed_attempts >= MAX_FAILED_ATTEMPTS
                if locked:
                    row.locked_until = now + LOCKOUT_SECONDS
                self.ledger.audit.append(
                    session, at=now,
                    kind=AuditKind.OPERATOR_LOCKED if locked else AuditKind.SIGN_IN_FAILED,
                    operator_id=row.id,
                    payload={"why": "wrong_pin", "failed_attempts": row.failed_attempts,
                             **({"locked_until": row.locked_until} if locked else {})})
                failure = (LedgerError(LedgerErrorId.OPERATOR_LOCKED, name) if locked else
                           WrongPin(name, row.failed_attempts,
                                    MAX_FAILED_ATTEMPTS - row.failed_attempts))
            else:
                row.failed_attempts, row.locked_until = 0, None
                operator = _operator(row)
                self.ledger.audit.append(session, at=now, kind=AuditKind.SIGN_IN,
                                         operator_id=row.id, payload={"role": row.role})
        if failure is not None:
            raise failure
        return operator

    def sign_in(self, name: str, pin: str) -> OperatorSession:
        session = OperatorSession(self.authenticate(name, pin), self.ledger.clock,
                                  self.idle_seconds)
        session.must_change_pin = is_weak_pin(pin)
        return session

    def unlock(self, session: OperatorSession, pin: str) -> None:
        """Unlock an idle-locked session with the same operator's PIN."""
        self.authenticate(session.operator.name, pin)
        session._unlocked()
        session.must_change_pin = is_weak_pin(pin)

    def supervisor(self, name: str, pin: str) -> Operator:
        """Authorise a supervisor action (e.g. a void) by name and PIN."""
        operator = self.authenticate(name, pin)
        if not operator.is_supervisor:
            raise LedgerError(LedgerErrorId.SUPERVISOR_REQUIRED, name)
        return operator
