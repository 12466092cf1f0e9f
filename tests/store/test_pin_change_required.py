"""Issue 13: a weak stored PIN signs in, but the ledger refuses everything else until it
is changed; a lost device secret gets a clear message and a way back (server code)."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from merchant_pos.app import open_pos
from merchant_pos.domain import CartLine
from merchant_pos.domain.issuing import IssuerKey
from merchant_pos.domain.unlock_code import device_key, make_unlock_code
from merchant_pos.store import (
    Ledger,
    LedgerError,
    LedgerErrorId,
    OperatorRegistry,
    OperatorRole,
    RedemptionService,
)
from merchant_pos.store.device_secret import SECRET_FILE, SECRET_FOLDER
from merchant_pos.store.errors import PinChangeRequired
from merchant_pos.store.models import AuditRow, OperatorRow, RedemptionRow
from merchant_pos.store.staff import StaffManager
from merchant_pos.sync.token_store import DeviceToken
from tests.store.conftest import FAST_PINS, configure
from tests.support.codes import make_code


def _refusals(ledger: Ledger) -> list[dict[str, str]]:
    with ledger.read() as s:
        rows = s.scalars(select(AuditRow.payload).where(AuditRow.kind == "action_refused")
                         .order_by(AuditRow.seq))
        return [json.loads(p) for p in rows]


def _redemptions(ledger: Ledger) -> int:
    with ledger.read() as s:
        return len(s.scalars(select(RedemptionRow.id)).all())


def test_a_weak_pin_must_change_before_redeeming_voiding_or_changing_staff(
        ledger: Ledger, key: IssuerKey) -> None:
    configure(ledger, key)
    before_rule = OperatorRegistry(ledger, hasher=FAST_PINS)  # PINs set before the rule
    old_boss = before_rule.create_first_supervisor("老主管", "1111")
    before_rule.add_operator(old_boss, "老收银", OperatorRole.CASHIER, "1234")
    before_rule.add_operator(old_boss, "赵主管", OperatorRole.SUPERVISOR, "4826")
    counter = OperatorRegistry(ledger, hasher=FAST_PINS, require_strong_pins=True)
    staff, service = StaffManager(counter), RedemptionService(ledger, counter)

    cashier = counter.sign_in("老收银", "1234")  # still signs in ...
    assert cashier.must_change_pin
    cashier.must_change_pin = False  # ... and what the window believes does not matter
    with pytest.raises(PinChangeRequired) as err:
        service.redeem(str(uuid.uuid4()), make_code(key), [CartLine("formula", 100)], cashier)
    assert err.value.error is LedgerErrorId.PIN_CHANGE_REQUIRED
    assert "老收银" in err.value.message("zh_CN") and "change it first" in err.value.message("en")
    assert _redemptions(ledger) == 0

    good = counter.sign_in("赵主管", "4826")
    assert not good.must_change_pin
    receipt = service.redeem(str(uuid.uuid4()), make_code(key), [CartLine("formula", 100)],
                             good)
    with pytest.raises(PinChangeRequired):  # the void's approver must change theirs too
        service.void(receipt.redemption_id, void_id=str(uuid.uuid4()),
                     supervisor_name="老主管", supervisor_pin="1111", reason="扫错")
    assert service.receipt(receipt.redemption_id).status.value == "pending"  # type: ignore[union-attr]

    boss = counter.sign_in("老主管", "1111").operator
    assert [m.must_change_pin for m in staff.members()] == [True, False, True]  # staff screen
    for change in (lambda: staff.add(boss, "新收银", OperatorRole.CASHIER, "5937"),
                   lambda: staff.set_pin(boss, "老收银", "5937"),
                   lambda: staff.unlock(boss, "老收银"),
                   lambda: staff.remove(boss, "赵主管"),
                   lambda: staff.new_recovery_code(boss)):
        with pytest.raises(PinChangeRequired):
            change()
    assert [m.name for m in staff.members()] == ["老主管", "赵主管", "老收银"]
    assert [p["action"] for p in _refusals(ledger)] == [
        "redeem", "void", "staff", "staff", "staff", "staff", "staff"]

    staff.set_pin(boss, "老主管", "5937")  # the own PIN stays allowed
    staff.change_own_pin("老收银", "1234", "6284")
    again = service.redeem(str(uuid.uuid4()), make_code(key), [CartLine("formula", 200)],
                           cashier)  # the same session: the ledger now has the new PIN
    assert again.operator_id == cashier.operator.id
    voided = service.void(receipt.redemption_id, void_id=str(uuid.uuid4()),
                          supervisor_name="老主管", supervisor_pin="5937", reason="扫错")
    assert voided.supervisor_id == boss.id
    with ledger.read() as s:
        assert not any(s.scalars(select(OperatorRow.must_change_pin)))
    assert ledger.verify_audit().ok


def test_fixtures_without_the_rule_keep_working(ledger: Ledger, key: IssuerKey) -> None:
    configure(ledger, key)
    registry = OperatorRegistry(ledger, hasher=FAST_PINS)
    registry.create_first_supervisor("老主管", "1111")
    session = registry.sign_in("老主管", "1111")
    assert session.must_change_pin  # recorded, but this registry does not enforce it
    RedemptionService(ledger, registry).redeem(str(uuid.uuid4()), make_code(key),
                                               [CartLine("formula", 100)], session)


def test_a_lost_device_secret_comes_back_with_a_server_unlock_code(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    pos = open_pos(folder, use_keyring=False)
    assert pos.sync is not None
    token = DeviceToken("http://127.0.0.1:9", "D01", "device-token-secret")
    pos.sync.tokens.save(token)  # enrolled: the token lives apart from the device secret
    recovery = pos.staff().create_first_supervisor("王主管", "2791").recovery_code
    pos.close()
    (folder / SECRET_FOLDER / SECRET_FILE).unlink()  # keyring wiped / credentials lost

    pos = open_pos(folder, use_keyring=False)
    try:
        assert pos.ledger.secret_replaced
        staff = pos.staff()
        with pytest.raises(LedgerError) as err:
            pos.operators.sign_in("王主管", "2791")
        assert err.value.error is LedgerErrorId.PIN_KEY_CHANGED
        assert "unlock code" in err.value.message("en") and "解锁码" in err.value.message()
        assert staff.member("王主管").failed_attempts == 0  # not counted as a wrong PIN
        with pytest.raises(LedgerError) as err:
            staff.unlock_with_recovery_code("王主管", recovery)
        assert err.value.error is LedgerErrorId.RECOVERY_KEY_CHANGED
        code = make_unlock_code(device_key(token.secret), "D01", "王主管",
                                int(time.time()) + 3600)
        with pytest.raises(LedgerError) as err:  # the new PIN follows the PIN rule
            staff.unlock_with_server_code("王主管", code, new_pin="1234")
        assert err.value.error is LedgerErrorId.WEAK_PIN
        staff.unlock_with_server_code("王主管", code, new_pin="4826")
        boss = pos.operators.sign_in("王主管", "4826").operator
        fresh = staff.new_recovery_code(boss)  # and the shop has a recovery code again
        staff.unlock_with_recovery_code("王主管", fresh)
        with pytest.raises(LedgerError) as err:  # one use
            staff.unlock_with_server_code("王主管", code, new_pin="5937")
        assert err.value.error is LedgerErrorId.BAD_UNLOCK_CODE
        assert pos.sync is not None
        pos.sync.tokens.clear()  # lost the token too: the message says re-enroll first
        with pytest.raises(LedgerError) as err:
            staff.unlock_with_server_code("王主管", code, new_pin="5937")
        assert err.value.error is LedgerErrorId.UNLOCK_NEEDS_ENROLLMENT
        assert "enroll" in err.value.message("en")
    finally:
        pos.close()
