"""Staff management on a real ledger: PIN rules, removal, unlocks, audit rows."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from merchant_pos.domain import CartLine
from merchant_pos.domain.issuing import IssuerKey
from merchant_pos.domain.unlock_code import make_unlock_code, parse_unlock_code
from merchant_pos.store import (
    Ledger,
    LedgerError,
    LedgerErrorId,
    OperatorRegistry,
    OperatorRole,
    RedemptionService,
)
from merchant_pos.store.errors import WrongPin
from merchant_pos.store.models import AuditRow, OperatorRow, SettingRow
from merchant_pos.store.pin_policy import is_weak_pin
from merchant_pos.store.staff import RECOVERY_HASH, StaffManager
from tests.store.conftest import FAST_PINS, FakeClock, configure
from tests.support.codes import make_code

KEY = bytes(range(32))


@pytest.fixture
def staff(ledger: Ledger) -> StaffManager:
    return StaffManager(OperatorRegistry(ledger, hasher=FAST_PINS),
                        unlock_key=lambda: ("D01", KEY))


def _kinds(ledger: Ledger) -> list[str]:
    with ledger.read() as s:
        return list(s.scalars(select(AuditRow.kind).order_by(AuditRow.seq)))


@pytest.mark.parametrize("pin", ["0000", "1111", "1234", "4321", "7890", "0987", "1212",
                                 "123123", "2580", "98765432"])
def test_weak_pins(pin: str) -> None:
    assert is_weak_pin(pin)


@pytest.mark.parametrize("pin", ["2791", "3658", "80417", "102938"])
def test_ordinary_pins(pin: str) -> None:
    assert not is_weak_pin(pin)


def test_staff_lifecycle(staff: StaffManager, ledger: Ledger) -> None:
    with pytest.raises(LedgerError) as err:
        staff.create_first_supervisor("王主管", "1234")
    assert err.value.error is LedgerErrorId.WEAK_PIN and "1234" in err.value.message("zh_CN")
    assert staff.registry.needs_first_supervisor()  # the refusal changed nothing
    first = staff.create_first_supervisor("王主管", "2791")
    assert len(first.recovery_code) == 19
    with ledger.read() as s:
        stored = s.get(SettingRow, RECOVERY_HASH)
    assert stored is not None and first.recovery_code not in stored.value
    boss = first.operator
    with pytest.raises(LedgerError) as err:
        staff.add(boss, "李收银", OperatorRole.CASHIER, "0000")
    assert err.value.error is LedgerErrorId.WEAK_PIN
    cashier = staff.add(boss, "李收银", OperatorRole.CASHIER, "3658")
    with pytest.raises(LedgerError) as err:  # a cashier cannot manage staff
        staff.add(cashier, "张三", OperatorRole.CASHIER, "4826")
    assert err.value.error is LedgerErrorId.SUPERVISOR_REQUIRED
    with pytest.raises(LedgerError) as err:
        staff.remove(boss, "王主管")
    assert err.value.error is LedgerErrorId.LAST_SUPERVISOR
    staff.set_pin(boss, "李收银", "4826")
    assert staff.registry.sign_in("李收银", "4826").operator.id == cashier.id
    staff.remove(boss, "李收银")
    with pytest.raises(LedgerError) as err:
        staff.registry.sign_in("李收银", "4826")
    assert err.value.error is LedgerErrorId.UNKNOWN_OPERATOR
    assert [m.name for m in staff.members()] == ["王主管"]
    assert [m.active for m in staff.members(include_removed=True)] == [True, False]
    assert staff.name_of(cashier.id) == "李收银"
    kinds = _kinds(ledger)
    assert kinds.count("operator_created") == 2 and kinds.count("pin_changed") == 1
    assert kinds.count("operator_changed") == 1 and kinds.count("recovery_code_issued") == 1
    assert ledger.verify_audit().ok


def test_removed_cashier_keeps_their_redemptions(staff: StaffManager, ledger: Ledger,
                                                 key: IssuerKey) -> None:
    configure(ledger, key)
    boss = staff.create_first_supervisor("王主管", "2791").operator
    staff.add(boss, "李收银", OperatorRole.CASHIER, "3658")
    session = staff.registry.sign_in("李收银", "3658")
    service = RedemptionService(ledger, staff.registry)
    receipt = service.redeem(str(uuid.uuid4()), make_code(key), [CartLine("formula", 100)],
                             session)
    staff.remove(boss, "李收银")
    again = service.receipt(receipt.redemption_id)
    assert again is not None and staff.name_of(again.operator_id) == "李收银"


def test_attempts_left_and_supervisor_unlock(staff: StaffManager, clock: FakeClock) -> None:
    boss = staff.create_first_supervisor("王主管", "2791").operator
    staff.add(boss, "李收银", OperatorRole.CASHIER, "3658")
    messages = []
    for _ in range(9):
        with pytest.raises(WrongPin) as err:
            staff.registry.sign_in("李收银", "9090")
        messages.append(err.value.message("en"))
    assert "left" not in messages[1] and "7 tries left" in messages[2]
    assert "1 tries left" in messages[8]
    with pytest.raises(LedgerError) as locked:
        staff.registry.sign_in("李收银", "9090")
    assert locked.value.error is LedgerErrorId.OPERATOR_LOCKED
    assert staff.member("李收银").is_locked(clock())
    with pytest.raises(LedgerError):
        staff.unlock(staff.registry.authenticate("王主管", "0101"), "李收银")
    staff.unlock(staff.registry.supervisor("王主管", "2791"), "李收银")
    assert not staff.member("李收银").is_locked(clock())
    assert staff.registry.sign_in("李收银", "3658").operator.name == "李收银"
    assert staff.ledger.verify_audit().ok  # the operators table replays from the audit rows


def _lock(staff: StaffManager, name: str) -> None:
    for _ in range(10):
        with pytest.raises(LedgerError):
            staff.registry.sign_in(name, "9090")


def test_recovery_code_unlocks_once(staff: StaffManager, clock: FakeClock) -> None:
    code = staff.create_first_supervisor("王主管", "2791").recovery_code
    _lock(staff, "王主管")
    with pytest.raises(LedgerError) as err:
        staff.unlock_with_recovery_code("王主管", "AAAA-BBBB-CCCC-DDDD")
    assert err.value.error is LedgerErrorId.BAD_RECOVERY_CODE
    assert staff.member("王主管").is_locked(clock())
    fresh = staff.unlock_with_recovery_code("王主管", code.lower().replace("-", " "))
    assert not staff.member("王主管").is_locked(clock()) and fresh != code
    _lock(staff, "王主管")
    with pytest.raises(LedgerError):  # used up
        staff.unlock_with_recovery_code("王主管", code)
    staff.unlock_with_recovery_code("王主管", fresh)
    assert staff.ledger.verify_audit().ok


def test_server_unlock_code_once_for_this_device_and_operator(staff: StaffManager,
                                                              clock: FakeClock) -> None:
    boss = staff.create_first_supervisor("王主管", "2791").operator
    staff.add(boss, "赵主管", OperatorRole.SUPERVISOR, "4826")
    _lock(staff, "王主管")
    _lock(staff, "赵主管")
    expires = clock() + 3600
    for wrong in (make_unlock_code(KEY, "D02", "王主管", expires),     # another device
                  make_unlock_code(KEY, "D01", "赵主管", expires),     # another operator
                  make_unlock_code(b"x" * 32, "D01", "王主管", expires),  # another key
                  make_unlock_code(KEY, "D01", "王主管", clock() - 1),  # expired
                  "not a code"):
        with pytest.raises(LedgerError) as err:
            staff.unlock_with_server_code("王主管", wrong)
        assert err.value.error is LedgerErrorId.BAD_UNLOCK_CODE
    good = make_unlock_code(KEY, "D01", "王主管", expires)
    parsed = parse_unlock_code(good.lower().replace("O", "0"))
    assert parsed is not None and parsed.expires == expires
    staff.unlock_with_server_code("王主管", good)
    assert not staff.member("王主管").is_locked(clock())
    _lock(staff, "王主管")
    with pytest.raises(LedgerError):  # one use
        staff.unlock_with_server_code("王主管", good)
    assert staff.ledger.verify_audit().ok


def test_weak_stored_pin_signs_in_but_must_change(staff: StaffManager, ledger: Ledger) -> None:
    staff.registry.create_first_supervisor("老主管", "1111")  # from before the rule
    session = staff.registry.sign_in("老主管", "1111")
    assert session.must_change_pin
    with pytest.raises(LedgerError) as err:
        staff.change_own_pin("老主管", "1111", "2222")
    assert err.value.error is LedgerErrorId.WEAK_PIN
    staff.change_own_pin("老主管", "1111", "2791")
    assert not staff.registry.sign_in("老主管", "2791").must_change_pin
    with ledger.read() as s:
        assert s.scalars(select(OperatorRow.failed_attempts)).one() == 0
    assert ledger.verify_audit().ok


def test_only_an_active_supervisor_changes_staff(staff: StaffManager) -> None:
    boss = staff.create_first_supervisor("王主管", "2791").operator
    cashier = staff.add(boss, "李收银", OperatorRole.CASHIER, "3658")
    other = staff.add(boss, "赵主管", OperatorRole.SUPERVISOR, "4826")
    _lock(staff, "王主管")
    for change in (lambda: staff.unlock(cashier, "王主管"),
                   lambda: staff.set_pin(cashier, "王主管", "5937"),
                   lambda: staff.remove(cashier, "王主管"),
                   lambda: staff.new_recovery_code(cashier)):
        with pytest.raises(LedgerError) as err:
            change()
        assert err.value.error is LedgerErrorId.SUPERVISOR_REQUIRED
    staff.remove(boss, "赵主管")
    with pytest.raises(LedgerError) as err:  # a removed supervisor's old approval is void
        staff.unlock(other, "王主管")
    assert err.value.error is LedgerErrorId.SUPERVISOR_REQUIRED
    assert staff.member("王主管").locked_until is not None


def test_the_counters_registry_refuses_weak_pins_too(ledger: Ledger) -> None:
    registry = OperatorRegistry(ledger, hasher=FAST_PINS, require_strong_pins=True)
    with pytest.raises(LedgerError) as err:
        registry.create_first_supervisor("王主管", "1111")
    assert err.value.error is LedgerErrorId.WEAK_PIN
    boss = registry.create_first_supervisor("王主管", "2791")
    with pytest.raises(LedgerError) as err:
        registry.add_operator(boss, "李收银", OperatorRole.CASHIER, "4321")
    assert err.value.error is LedgerErrorId.WEAK_PIN
    assert [op.name for op in registry.operators()] == ["王主管"]
