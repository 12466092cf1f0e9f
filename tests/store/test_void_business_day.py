"""A void is allowed on the redemption's business day only: the local date in the program's
zone, near local midnight and across daylight-saving changes (never the UTC date)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from merchant_pos.domain import CartLine
from merchant_pos.store import CategoryInfo, LedgerError, LedgerErrorId, MerchantSettingsStore
from merchant_pos.store.reference import ProgramInfo
from tests.store.conftest import Counter
from tests.support.codes import DAY, claims, make_code

CART = [CartLine("formula", 6000)]


def utc_day(ts: int) -> object:
    return datetime.fromtimestamp(ts, UTC).date()


def at(text: str, tz: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz)).timestamp())


def redeem_then_void(counter: Counter, redeemed: int, voided: int) -> bool:
    """Redeem at ``redeemed``, try the void at ``voided``: True if the void was taken."""
    counter.clock.now = redeemed
    cashier = counter.operators.sign_in("李收银", "1234")
    code = make_code(counter.key, claims(iat=redeemed - DAY, exp=redeemed + 30 * DAY))
    receipt = counter.service.redeem(str(uuid.uuid4()), code, CART, cashier)
    counter.clock.now = voided
    try:
        counter.service.void(receipt.redemption_id, void_id=str(uuid.uuid4()),
                             supervisor_name=counter.supervisor_name,
                             supervisor_pin=counter.supervisor_pin, reason="退货")
    except LedgerError as exc:
        assert exc.error is LedgerErrorId.VOID_TOO_LATE
        return False
    return True


SHANGHAI = "Asia/Shanghai"
# (redeemed, voided, same local day?) — the UTC date says the opposite in every case
NEAR_MIDNIGHT = [
    ("2026-02-10T23:50", "2026-02-11T00:10", False),   # 15:50 / 16:10 UTC: same UTC day
    ("2026-02-10T07:50", "2026-02-10T08:10", True),    # 23:50 / 00:10 UTC: two UTC days
]


@pytest.mark.parametrize(("redeemed", "voided", "allowed"), NEAR_MIDNIGHT)
def test_near_local_midnight_in_the_programs_zone(counter: Counter, redeemed: str,
                                                  voided: str, allowed: bool) -> None:
    first, second = at(redeemed, SHANGHAI), at(voided, SHANGHAI)
    utc_same = utc_day(first) == utc_day(second)
    assert utc_same is not allowed  # the case tells local from UTC judgement
    assert redeem_then_void(counter, first, second) is allowed


NEW_YORK = "America/New_York"
ACROSS_DST = [
    # autumn: the day has 25 hours; 24 h 15 min later it is still the same local day
    ("2026-11-01T00:30", "2026-11-01T23:45", True),
    # spring: the day has 23 hours; one hour later it is already the next local day
    ("2026-03-07T23:30", "2026-03-08T00:30", False),
]


@pytest.mark.parametrize(("redeemed", "voided", "allowed"), ACROSS_DST)
def test_across_a_daylight_saving_change_in_the_programs_zone(
        counter: Counter, redeemed: str, voided: str, allowed: bool) -> None:
    # The merchant's profile says Shanghai; the program (as synced) runs in New York.
    MerchantSettingsStore(counter.ledger).save_programs([ProgramInfo(
        "jss-baby-2023", "母婴券", "Baby vouchers", NEW_YORK,
        (CategoryInfo("formula", "奶粉", "Formula"),))])
    first, second = at(redeemed, NEW_YORK), at(voided, NEW_YORK)
    shanghai_same = (datetime.fromtimestamp(first, ZoneInfo(SHANGHAI)).date()
                     == datetime.fromtimestamp(second, ZoneInfo(SHANGHAI)).date())
    utc_same = utc_day(first) == utc_day(second)
    assert not allowed or not utc_same or not shanghai_same
    assert redeem_then_void(counter, first, second) is allowed
    assert counter.ledger.verify_audit().ok
