"""Operators: scrypt PINs, first supervisor, lockout after 10 failures, idle lock."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from merchant_pos.domain import CartLine
from merchant_pos.store import (
    Ledger,
    LedgerError,
    LedgerErrorId,
    OperatorRegistry,
    OperatorRole,
    PinHasher,
)
from merchant_pos.store.models import AuditRow, OperatorRow
from tests.store.conftest import FAST_PINS, Counter, FakeClock
from tests.support.codes import make_code


def test_first_run_creates_the_first_supervisor_once(ledger: Ledger) -> None:
    registry = OperatorRegistry(ledger, hasher=FAST_PINS)
    assert registry.needs_first_supervisor()
    boss = registry.create_first_supervisor("张店长", "24680")
    assert boss.is_supervisor and not registry.needs_first_supervisor()
    with pytest.raises(LedgerError) as err:
        registry.create_first_supervisor("另一个", "13579")
    assert err.value.error is LedgerErrorId.FIRST_SUPERVISOR_EXISTS


def test_pins_are_stored_only_as_salted_scrypt(ledger: Ledger) -> None:
    registry = OperatorRegistry(ledger)  # the real default cost
    registry.create_first_supervisor("张店长", "24680")
    with ledger.read() as s:
        stored = s.scalars(select(OperatorRow.pin_hash)).one()
    assert stored.startswith("kscrypt$16384$8$1$") and "24680" not in stored
    keyed = registry.hasher
    assert keyed.check("24680", stored) and not keyed.check("24681", stored)
    assert keyed.hash("24680") != keyed.hash("24680")  # salted
    assert not PinHasher().check("24680", stored)  # without the device secret: no check


@pytest.mark.parametrize("pin", ["123", "12a4", "", "1234567890123"])
def test_bad_pin_formats_are_refused(ledger: Ledger, pin: str) -> None:
    with pytest.raises(LedgerError) as err:
        OperatorRegistry(ledger, hasher=FAST_PINS).create_first_supervisor("x", pin)
    assert err.value.error is LedgerErrorId.BAD_PIN_FORMAT


def test_only_a_supervisor_adds_operators(counter: Counter) -> None:
    with pytest.raises(LedgerError) as err:
        counter.operators.add_operator(counter.cashier, "新人", OperatorRole.CASHIER, "5555")
    assert err.value.error is LedgerErrorId.SUPERVISOR_REQUIRED
    boss = counter.operators.sign_in("王主管", "9999")
    with pytest.raises(LedgerError) as err:
        counter.operators.add_operator(boss, "李收银", OperatorRole.CASHIER, "5555")
    assert err.value.error is LedgerErrorId.OPERATOR_EXISTS


def test_ten_wrong_pins_lock_for_thirty_minutes(counter: Counter, clock: FakeClock) -> None:
    reg = counter.operators
    for attempt in range(1, 10):
        with pytest.raises(LedgerError) as err:
            reg.sign_in("李收银", "0000")
        assert err.value.error is LedgerErrorId.WRONG_PIN, attempt
    with pytest.raises(LedgerError) as err:
        reg.sign_in("李收银", "0000")
    assert err.value.error is LedgerErrorId.OPERATOR_LOCKED
    assert "30" in err.value.message("zh_CN") and "30 minutes" in err.value.message("en")
    with pytest.raises(LedgerError) as err:  # even the right PIN, while locked
        reg.sign_in("李收银", "1234")
    assert err.value.error is LedgerErrorId.OPERATOR_LOCKED
    clock.advance(29 * 60)
    with pytest.raises(LedgerError):
        reg.sign_in("李收银", "1234")
    clock.advance(60)
    assert reg.sign_in("李收银", "1234").operator.name == "李收银"
    with counter.ledger.read() as s:
        kinds = s.scalars(select(AuditRow.kind)).all()
    assert kinds.count("sign_in_failed") == 9 + 2 and kinds.count("operator_locked") == 1
    assert counter.ledger.verify_audit().ok


def test_a_success_resets_the_failure_count(counter: Counter) -> None:
    for _ in range(9):
        with pytest.raises(LedgerError):
            counter.operators.sign_in("李收银", "0000")
    counter.operators.sign_in("李收银", "1234")
    for _ in range(9):
        with pytest.raises(LedgerError) as err:
            counter.operators.sign_in("李收银", "0000")
        assert err.value.error is LedgerErrorId.WRONG_PIN


def test_unknown_operator(counter: Counter) -> None:
    with pytest.raises(LedgerError) as err:
        counter.operators.sign_in("nobody", "1234")
    assert err.value.error is LedgerErrorId.UNKNOWN_OPERATOR


def test_idle_session_locks_after_fifteen_minutes(counter: Counter, clock: FakeClock) -> None:
    code = make_code(counter.key)
    clock.advance(14 * 60)
    counter.service.redeem(str(uuid.uuid4()), code, [CartLine("formula", 100)], counter.cashier)
    clock.advance(14 * 60)  # activity moved the idle timer
    assert not counter.cashier.is_locked
    clock.advance(60)
    assert counter.cashier.is_locked
    with pytest.raises(LedgerError) as err:
        counter.service.redeem(str(uuid.uuid4()), code, [CartLine("formula", 100)],
                               counter.cashier)
    assert err.value.error is LedgerErrorId.SESSION_LOCKED
    with pytest.raises(LedgerError):
        counter.operators.unlock(counter.cashier, "0000")
    assert counter.cashier.is_locked
    counter.operators.unlock(counter.cashier, "1234")
    assert not counter.cashier.is_locked
    counter.service.redeem(str(uuid.uuid4()), code, [CartLine("formula", 100)], counter.cashier)
