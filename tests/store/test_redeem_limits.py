"""Redeem limits enforced by the ledger itself: through RedemptionService.redeem, no window.

The server's policy is stored as the sync engine stores it; the clock is the
ledger's injected clock. Each refusal must leave nothing behind: no
redemption, no outbox entry, no audit row, no receipt number used.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from merchant_pos.domain import CartLine
from merchant_pos.store import LedgerError, LedgerErrorId, SyncStateStore, TrustStore
from merchant_pos.store.models import AuditRow, CounterRow, OutboxRow, RedemptionRow
from merchant_pos.store.redeem_limits import (
    DEVICE_REVOKED,
    HOUR,
    LAST_SUCCESS,
    POLICIES,
    current_findings,
)
from tests.store.conftest import Counter
from tests.support.codes import claims, make_code, trust_for

CART = [CartLine("formula", 3000)]


def rid() -> str:
    return str(uuid.uuid4())


def later(counter: Counter, seconds: int) -> None:
    """Move the clock; the cashier signs in again (a session locks after 15 idle minutes)."""
    counter.clock.advance(seconds)
    counter.cashier = counter.operators.sign_in("李收银", "1234")


def synced(counter: Counter, **policy: float) -> SyncStateStore:
    """As after a sync: the server's policy, last success now, keys and revocations fresh."""
    state = SyncStateStore(counter.ledger)
    state.set_setting(POLICIES, dict(policy))
    state.set_setting(LAST_SUCCESS, counter.clock.now)
    TrustStore(counter.ledger).replace_trust_list(trust_for(counter.key))
    TrustStore(counter.ledger).apply_revocations_page(cursor="c1")
    return state


def nothing_recorded(counter: Counter) -> tuple[int, ...]:
    with counter.ledger.read() as s:
        rows = [int(s.scalar(select(func.count()).select_from(m)) or 0)
                for m in (RedemptionRow, OutboxRow, AuditRow)]
        receipts = s.scalar(select(func.coalesce(func.sum(CounterRow.value), 0))
                            .where(CounterRow.name == "receipt"))
        return (*rows, int(receipts or 0))


def refused(counter: Counter, error: LedgerErrorId, code: str | None = None) -> LedgerError:
    before = nothing_recorded(counter)
    with pytest.raises(LedgerError) as err:
        counter.service.redeem(rid(), code or make_code(counter.key), CART, counter.cashier)
    assert err.value.error is error, err.value
    assert nothing_recorded(counter) == before
    return err.value


def test_offline_longer_than_the_policy_refuses_inside_redeem(counter: Counter) -> None:
    synced(counter, max_offline_hours=24)
    later(counter, 23 * HOUR)
    counter.service.redeem(rid(), make_code(counter.key), CART, counter.cashier)
    later(counter, 2 * HOUR)
    err = refused(counter, LedgerErrorId.OFFLINE_TOO_LONG)
    assert "25 小时" in err.message("zh_CN") and "limit 24 hours" in err.message("en")
    # The window shows the same thing the ledger enforces.
    finding = current_findings(counter.ledger, counter.clock.now)[0]
    assert finding.message_id == "offline_too_long"
    assert finding.message("en") == err.message("en")
    synced(counter, max_offline_hours=24)  # the next sync
    counter.service.redeem(rid(), make_code(counter.key), CART, counter.cashier)


def test_a_policy_with_an_offline_limit_and_no_sync_yet_refuses(counter: Counter) -> None:
    SyncStateStore(counter.ledger).set_setting(POLICIES, {"max_offline_hours": 72})
    refused(counter, LedgerErrorId.NEVER_SYNCED)


def test_the_unsynced_cap_counts_pending_redemptions_but_not_voided_ones(
        counter: Counter) -> None:
    synced(counter, max_unsynced_covered_fen=5000)
    first = counter.service.redeem(rid(), make_code(counter.key), CART, counter.cashier)
    err = refused(counter, LedgerErrorId.UNSYNCED_CAP)  # 30 + 30 > 50 yuan
    assert "60.00" in err.message("zh_CN") and "\u00a550.00" in err.message("en")
    counter.service.void(first.redemption_id, void_id=rid(), supervisor_name="王主管",
                         supervisor_pin="9999", reason="退货")
    counter.service.redeem(rid(), make_code(counter.key), CART, counter.cashier)


def test_stale_keys_past_the_policy_refuse_a_redemption(counter: Counter) -> None:
    synced(counter, max_trust_list_age_hours=48)
    later(counter, 47 * HOUR)
    SyncStateStore(counter.ledger).set_setting(LAST_SUCCESS, counter.clock.now)
    TrustStore(counter.ledger).apply_revocations_page(cursor="c2")
    counter.service.redeem(rid(), make_code(counter.key), CART, counter.cashier)
    later(counter, 2 * HOUR)  # keys now 49 h old; everything else fresh
    SyncStateStore(counter.ledger).set_setting(LAST_SUCCESS, counter.clock.now)
    TrustStore(counter.ledger).apply_revocations_page(cursor="c3")
    err = refused(counter, LedgerErrorId.STALE_TRUST_LIST)
    assert "49" in err.message("en") and "48" in err.message("zh_CN")
    # The same list fetched again counts as fresh (and writes no audit row).
    TrustStore(counter.ledger).replace_trust_list(trust_for(counter.key))
    counter.service.redeem(rid(), make_code(counter.key), CART, counter.cashier)


def test_stale_revocations_past_the_policy_refuse_a_redemption(counter: Counter) -> None:
    synced(counter, max_revocations_age_hours=12)
    later(counter, 13 * HOUR)
    TrustStore(counter.ledger).replace_trust_list(trust_for(counter.key))
    SyncStateStore(counter.ledger).set_setting(LAST_SUCCESS, counter.clock.now)
    refused(counter, LedgerErrorId.STALE_REVOCATIONS)
    TrustStore(counter.ledger).apply_revocations_page(cursor="c4")
    counter.service.redeem(rid(), make_code(counter.key), CART, counter.cashier)


def test_keys_and_revocations_never_fetched_are_stale_under_a_policy(counter: Counter) -> None:
    state = SyncStateStore(counter.ledger)
    state.set_setting(POLICIES, {"max_revocations_age_hours": 24})
    refused(counter, LedgerErrorId.STALE_REVOCATIONS)  # no revocation list ever fetched


def test_a_revoked_device_may_not_redeem_even_without_a_policy(counter: Counter) -> None:
    state = SyncStateStore(counter.ledger)
    state.set_setting(DEVICE_REVOKED, counter.clock.now)
    err = refused(counter, LedgerErrorId.DEVICE_REVOKED)
    assert "停用" in err.message("zh_CN") and "disabled" in err.message("en")
    state.set_setting(DEVICE_REVOKED, None)  # re-enrolled and synced: the engine clears it
    counter.service.redeem(rid(), make_code(counter.key), CART, counter.cashier)


def test_a_retry_of_a_recorded_redemption_still_returns_it(counter: Counter) -> None:
    synced(counter, max_offline_hours=24)
    code, same = make_code(counter.key), rid()
    first = counter.service.redeem(same, code, CART, counter.cashier)
    later(counter, 30 * HOUR)
    again = counter.service.redeem(same, code, CART, counter.cashier)
    assert again.already_recorded and again.receipt_no == first.receipt_no
    refused(counter, LedgerErrorId.OFFLINE_TOO_LONG)


def test_a_ledger_without_a_server_policy_has_no_offline_limits(counter: Counter) -> None:
    later(counter, 1000 * HOUR)  # keys and revocations "stale", never synced
    code = make_code(counter.key, claims(exp=counter.clock.now + 3600))
    counter.service.redeem(rid(), code, CART, counter.cashier)
    assert current_findings(counter.ledger, counter.clock.now) == []
