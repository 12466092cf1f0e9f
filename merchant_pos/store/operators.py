"""Operators (cashiers and supervisors): scrypt PINs, lockout, idle-locked sessions.

PINs are stored only as ``kscrypt$N$r$p$salt$mac`` (hex; see :class:`PinHasher`).
Ten wrong PINs in a row lock an operator for 30 minutes; a signed-in session
locks itself after 15 idle minutes. The clock is the ledger's (injected), so
tests move time instead of waiting.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from merchant_pos.store.audit import AuditKind
from merchant_pos.store.device_secret import fingerprint, subkey
from merchant_pos.store.errors import LedgerError, LedgerErrorId, PinChangeRequired, WrongPin
from merchant_pos.store.ledger import Clock, Ledger
from merchant_pos.store.models import OperatorRole, OperatorRow
from merchant_pos.store.pin_policy import check_new_pin, is_weak_pin

MAX_FAILED_ATTEMPTS = 10
LOCKOUT_SECONDS = 30 * 60
IDLE_LOCK_SECONDS = 15 * 60
_PIN = re.compile(r"^[0-9]{4,12}$")
KEYED_SCHEME = "kscrypt"
PIN_KEY_PURPOSE = "pin"


@dataclass(frozen=True, slots=True)
class PinHasher:
    """Salted scrypt, keyed with the device secret's PIN sub-key.

    Stored as ``kscrypt$N$r$p$salt$HMAC-SHA256(key, scrypt(pin, salt))``: the
    file alone cannot be searched offline, the key lives in the keyring. An
    unkeyed hasher (``key=None``) writes the old ``scrypt$…`` form; it exists only
    to build old fixtures and to read rows before migration 0003 keys them. A
    keyed hasher refuses the unkeyed form, so a hash written into the file by
    hand does not sign anyone in. The defaults cost ~16 MiB and tens of ms per
    check, on purpose.
    """

    n: int = 2**14
    r: int = 8
    p: int = 1
    key: bytes | None = field(default=None, repr=False)

    def keyed(self, key: bytes) -> PinHasher:
        return replace(self, key=key)

    def hash(self, pin: str) -> str:
        salt = os.urandom(16)
        digest = self._scrypt(pin, salt, self.n, self.r, self.p)
        if self.key is None:
            return f"scrypt${self.n}${self.r}${self.p}${salt.hex()}${digest.hex()}"
        return f"{KEYED_SCHEME}${self.n}${self.r}${self.p}${salt.hex()}${self._mac(digest)}"

    @staticmethod
    def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
        return hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=32,
                              maxmem=256 * 1024 * 1024)

    def _mac(self, digest: bytes) -> str:
        assert self.key is not None
        return hmac.new(self.key, digest, hashlib.sha256).hexdigest()

    def check(self, pin: str, stored: str) -> bool:
        try:
            scheme, n, r, p, salt, digest = stored.split("$")
            if scheme != (KEYED_SCHEME if self.key is not None else "scrypt"):
                return False
            got = self._scrypt(pin, bytes.fromhex(salt), int(n), int(r), int(p))
        except ValueError:
            return False
        if self.key is not None:
            return hmac.compare_digest(self._mac(got), digest)
        return hmac.compare_digest(got, bytes.fromhex(digest))

    def rekey(self, stored: str) -> str:
        """An unkeyed ``scrypt$…`` hash as the keyed form (no PIN needed); others as they are."""
        parts = stored.split("$")
        if self.key is None or len(parts) != 6 or parts[0] != "scrypt":
            return stored
        try:
            digest = bytes.fromhex(parts[5])
        except ValueError:
            return stored
        return "$".join([KEYED_SCHEME, *parts[1:5], self._mac(digest)])


@dataclass(frozen=True, slots=True)
class Operator:
    id: int
    name: str
    role: OperatorRole
    must_change_pin: bool = False  # as the ledger had it when this was read

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
    return Operator(row.id, row.name, OperatorRole(row.role), bool(row.must_change_pin))


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
        self.hasher = (hasher or PinHasher()).keyed(subkey(ledger.device_secret, PIN_KEY_PURPOSE))
        self.idle_seconds = idle_seconds
        # The counter (app.open_pos) refuses guessable new PINs here too, not only in
        # store/staff.py, and refuses redemptions, void approvals and staff changes by
        # whoever signed in with a weak stored PIN until it is changed
        # (:meth:`require_pin_current`); fixtures with older PINs build a registry without it.
        self.require_strong_pins = require_strong_pins
        self.pin_key = fingerprint(ledger.device_secret)  # stored beside each PIN hash

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
                          locked_until=None, active=True, created_at=now,
                          must_change_pin=False, pin_key=self.pin_key)
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
            elif row.pin_key not in (None, self.pin_key):
                # Hashed under a device secret this counter no longer has: no PIN can
                # match, so it is not counted as a wrong one; the way out is a server code.
                self.ledger.audit.append(session, at=now, kind=AuditKind.SIGN_IN_FAILED,
                                         operator_id=row.id, payload={"why": "pin_key"})
                failure = LedgerError(LedgerErrorId.PIN_KEY_CHANGED, name, subject=row.name)
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
                weak = is_weak_pin(pin)
                if weak:
                    row.must_change_pin = True  # until change_own_pin / set_pin
                operator = _operator(row)
                self.ledger.audit.append(session, at=now, kind=AuditKind.SIGN_IN,
                                         operator_id=row.id, payload={
                                             "role": row.role,
                                             **({"must_change_pin": True} if weak else {})})
        if failure is not None:
            raise failure
        return operator

    def sign_in(self, name: str, pin: str) -> OperatorSession:
        operator = self.authenticate(name, pin)
        session = OperatorSession(operator, self.ledger.clock, self.idle_seconds)
        session.must_change_pin = operator.must_change_pin
        return session

    def unlock(self, session: OperatorSession, pin: str) -> None:
        """Unlock an idle-locked session with the same operator's PIN."""
        operator = self.authenticate(session.operator.name, pin)
        session._unlocked()
        session.must_change_pin = operator.must_change_pin

    def supervisor(self, name: str, pin: str, action: str = "approve") -> Operator:
        """Authorise a supervisor action (e.g. a void) by name and PIN; a supervisor whose
        weak PIN must change authorises nothing (PIN_CHANGE_REQUIRED) until it is changed."""
        operator = self.authenticate(name, pin)
        if not operator.is_supervisor:
            raise LedgerError(LedgerErrorId.SUPERVISOR_REQUIRED, name)
        if operator.must_change_pin and self.require_strong_pins:
            raise self._pin_change_refused(operator, action)
        return operator

    def require_pin_current(self, operator: Operator, action: str) -> None:
        """Raise :class:`PinChangeRequired` (audited) if ``operator``'s weak PIN must be
        changed first; read from the ledger, not from the session the window holds."""
        if not self.require_strong_pins:
            return
        with self.ledger.read() as session:
            must = session.scalar(select(OperatorRow.must_change_pin)
                                  .where(OperatorRow.id == operator.id))
        if must:
            raise self._pin_change_refused(operator, action)

    def require_pin_current_in(self, db: sqlite3.Connection, operator: Operator,
                               action: str) -> None:
        """:meth:`require_pin_current` inside the caller's transaction (plain SQL: the
        redemption hot path); raises an unaudited :class:`PinChangeRequired` that
        :meth:`refusal_audited` records once the transaction has rolled back."""
        if not self.require_strong_pins:
            return
        row = db.execute("SELECT must_change_pin FROM operators WHERE id = ?",
                         (operator.id,)).fetchone()
        if row is not None and row[0]:
            raise PinChangeRequired(operator.name, action)

    @contextmanager
    def refusal_audited(self, operator: Operator) -> Iterator[None]:
        """Around a transaction: a PinChangeRequired from inside it is audited after it."""
        try:
            yield
        except PinChangeRequired as exc:
            self._pin_change_refused(operator, exc.action)
            raise

    def _pin_change_refused(self, operator: Operator, action: str) -> PinChangeRequired:
        with self.ledger.write() as session:
            self.ledger.audit.append(session, at=self.ledger.clock(),
                                     kind=AuditKind.ACTION_REFUSED, operator_id=operator.id,
                                     payload={"why": "pin_change_required", "action": action})
        return PinChangeRequired(operator.name, action)

    def new_pin_fields(self, pin: str) -> dict[str, object]:
        """The operator row's columns for a PIN set now (strength checked by the caller)."""
        return {"pin_hash": self.hasher.hash(pin), "pin_key": self.pin_key,
                "must_change_pin": False}
