"""The redemption service on a real ledger file: quote, redeem once, voids, refusals."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from merchant_pos.domain import CartLine, CodeRejected, ErrorId
from merchant_pos.domain.claims import Entitlement, Period, Unit
from merchant_pos.store import (
    LedgerError,
    LedgerErrorId,
    PushOutcome,
    PushResult,
    RedemptionOutbox,
    RedemptionStatus,
    ServerUsage,
    TrustStore,
    UsageLedger,
)
from merchant_pos.store.models import (
    AuditRow,
    OutboxRow,
    RedemptionDrawRow,
    RedemptionLineRow,
    RedemptionRow,
)
from tests.store.conftest import Counter
from tests.support.codes import DAY, ELDER_MEAL, claims, make_code

CART = [CartLine("formula", 6000), CartLine("diaper", 1000)]  # opens two of four vouchers


def rid() -> str:
    return str(uuid.uuid4())


def count(counter: Counter, model: type) -> int:
    with counter.ledger.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_quote_covers_the_cart_from_the_vouchers(counter: Counter) -> None:
    code = make_code(counter.key)
    q = counter.service.quote(code, [CartLine("formula", 12000), CartLine("diaper", 9000)])
    assert (q.covered, q.pays) == (20000, 1000)  # four once-vouchers of 5000
    assert q.masked_name == "马*花"


def test_redeem_records_redemption_lines_draws_outbox_and_audit(counter: Counter) -> None:
    code = make_code(counter.key)
    receipt = counter.service.redeem(rid(), code, CART, counter.cashier, expected_covered=7000)
    assert receipt.covered == 7000 and receipt.pays == 0
    assert receipt.receipt_no == "D01-000001"
    assert receipt.status is RedemptionStatus.PENDING
    assert count(counter, RedemptionRow) == 1
    assert count(counter, RedemptionLineRow) == 2
    assert count(counter, RedemptionDrawRow) == 2
    assert count(counter, OutboxRow) == 1
    item = RedemptionOutbox(counter.ledger).pending()[0]
    assert item.entry_id == receipt.redemption_id and item.payload["covered"] == 7000
    assert item.payload["code"] == code
    with counter.ledger.read() as s:
        kinds = s.scalars(select(AuditRow.kind).order_by(AuditRow.seq)).all()
    assert kinds[-1] == "redemption"
    assert counter.ledger.verify_audit().ok


def test_the_next_quote_sees_the_draws(counter: Counter) -> None:
    code = make_code(counter.key)
    counter.service.redeem(rid(), code, CART, counter.cashier)
    q = counter.service.quote(code, CART)
    assert q.covered == 7000  # from the two vouchers not opened yet
    counter.service.redeem(rid(), code, CART, counter.cashier)
    with pytest.raises(LedgerError) as err:
        counter.service.redeem(rid(), code, CART, counter.cashier)
    assert err.value.error is LedgerErrorId.NOTHING_COVERED
    assert "无需核销" in err.value.message("zh_CN") and "nothing" in err.value.message("en")


def test_same_redemption_id_twice_records_once(counter: Counter) -> None:
    code, the_id = make_code(counter.key), rid()
    first = counter.service.redeem(the_id, code, CART, counter.cashier)
    again = counter.service.redeem(the_id, code, CART, counter.cashier)
    assert not first.already_recorded and again.already_recorded
    assert again.receipt_no == first.receipt_no and again.covered == first.covered
    assert count(counter, RedemptionRow) == 1 and count(counter, OutboxRow) == 1
    with pytest.raises(LedgerError) as err:
        counter.service.redeem(the_id, code, [CartLine("formula", 1)], counter.cashier)
    assert err.value.error is LedgerErrorId.ID_REUSED
    assert count(counter, RedemptionRow) == 1


def test_a_changed_quote_is_refused_and_nothing_stored(counter: Counter) -> None:
    code = make_code(counter.key)
    big = [CartLine("formula", 12000), CartLine("diaper", 9000)]
    seen = counter.service.quote(code, big).covered
    counter.service.redeem(rid(), code, CART, counter.cashier)  # "the other window"
    with pytest.raises(LedgerError) as err:
        counter.service.redeem(rid(), code, big, counter.cashier, expected_covered=seen)
    assert err.value.error is LedgerErrorId.QUOTE_CHANGED
    assert count(counter, RedemptionRow) == 1


def test_category_not_allowed_is_refused_before_quoting(counter: Counter) -> None:
    code = make_code(counter.key)
    with pytest.raises(LedgerError) as err:
        counter.service.quote(code, [CartLine("formula", 100), CartLine("clothing", 100)])
    assert err.value.error is LedgerErrorId.CATEGORY_NOT_ALLOWED
    assert "clothing" in err.value.message("zh_CN") and "clothing" in err.value.message("en")
    with pytest.raises(LedgerError):
        counter.service.redeem(rid(), code, [CartLine("clothing", 100)], counter.cashier)
    assert count(counter, RedemptionRow) == 0


def test_bad_codes_are_rejected_with_the_domain_reason(counter: Counter) -> None:
    code = make_code(counter.key, claims(exp=counter.clock.now - 10 * DAY))
    with pytest.raises(CodeRejected) as err:
        counter.service.redeem(rid(), code, CART, counter.cashier)
    assert err.value.error is ErrorId.EXPIRED
    other_program = make_code(counter.key, claims(prg="not-ours"))
    with pytest.raises(CodeRejected) as err:
        counter.service.quote(other_program, CART)
    assert err.value.error is ErrorId.WRONG_PROGRAM
    assert count(counter, RedemptionRow) == 0


def test_revocation_synced_later_is_seen_by_the_next_quote(counter: Counter) -> None:
    c = claims()
    code = make_code(counter.key, c)
    counter.service.quote(code, CART)
    TrustStore(counter.ledger).apply_revocations_page(revoked_cti=[c.cti], cursor="r1")
    with pytest.raises(CodeRejected) as err:
        counter.service.quote(code, CART)
    assert err.value.error is ErrorId.REVOKED


def test_empty_cart_is_refused(counter: Counter) -> None:
    code = make_code(counter.key)
    with pytest.raises(LedgerError) as err:
        counter.service.redeem(rid(), code, [], counter.cashier)
    assert err.value.error is LedgerErrorId.BAD_CART
    assert counter.service.recent() == []
    # A quote of an empty cart verifies the code and shows the balances (a fresh scan).
    empty = counter.service.quote(code, [])
    assert empty.covered == 0 and empty.quote.lines == ()


def test_server_usage_counts_once_even_when_it_echoes_our_own(counter: Counter) -> None:
    meal = claims(prg="elder-meal", ent=ELDER_MEAL, sub="B-ELDER-1")
    code = make_code(counter.key, meal)
    lunch = [CartLine("meal", 1500)]
    ours = counter.service.redeem(rid(), code, lunch, counter.cashier)
    assert ours.covered == 1500  # 1 meal (1000) + 500 from the weekly fruit money
    usage = UsageLedger(counter.ledger)
    echo = [ServerUsage(ours.redemption_id, meal.iss, meal.sub, "meal", 1000, 1,
                        counter.clock.now),
            ServerUsage(ours.redemption_id, meal.iss, meal.sub, "fruit", 500, 0,
                        counter.clock.now)]
    assert usage.apply_usage_page(echo, cursor="u1") == 2
    assert usage.apply_usage_page(echo, cursor="u1") == 0  # same page again: no change
    records = usage.usage(meal.iss, meal.sub)
    assert sorted((r.ent, r.amount) for r in records) == [("fruit", 500), ("meal", 1000)]
    # Another shop's fruit draw this week does count.
    usage.apply_usage_page([ServerUsage("other-1", meal.iss, meal.sub, "fruit", 1000, 0,
                                        counter.clock.now - 3600)], cursor="u2")
    q = counter.service.quote(code, [CartLine("fruit", 2000)])
    assert q.covered == 2000 - 500 - 1000


def test_void_returns_the_draws_and_queues_its_own_outbox_entry(counter: Counter) -> None:
    code = make_code(counter.key)
    receipt = counter.service.redeem(rid(), code, CART, counter.cashier)
    counter.service.redeem(rid(), code, CART, counter.cashier)
    assert counter.service.quote(code, CART).covered == 0
    void_id = rid()
    with pytest.raises(LedgerError) as err:
        counter.service.void(receipt.redemption_id, void_id=void_id,
                             supervisor_name=counter.supervisor_name,
                             supervisor_pin=counter.supervisor_pin, reason="  ")
    assert err.value.error is LedgerErrorId.VOID_REASON_REQUIRED
    with pytest.raises(LedgerError) as err:
        counter.service.void(receipt.redemption_id, void_id=void_id,
                             supervisor_name="李收银", supervisor_pin="1234", reason="退货")
    assert err.value.error is LedgerErrorId.SUPERVISOR_REQUIRED
    done = counter.service.void(receipt.redemption_id, void_id=void_id,
                                supervisor_name=counter.supervisor_name,
                                supervisor_pin=counter.supervisor_pin, reason="顾客退货")
    assert done.reason == "顾客退货"
    again = counter.service.void(receipt.redemption_id, void_id=void_id,
                                 supervisor_name=counter.supervisor_name,
                                 supervisor_pin=counter.supervisor_pin, reason="顾客退货")
    assert again.already_recorded
    assert counter.service.quote(code, CART).covered == 7000
    stored = counter.service.receipt(receipt.redemption_id)
    assert stored is not None and stored.status is RedemptionStatus.VOIDED
    kinds = [i.kind.value for i in RedemptionOutbox(counter.ledger).pending()]
    assert kinds == ["redemption", "redemption", "void"]
    with pytest.raises(LedgerError) as err:
        counter.service.void(receipt.redemption_id, void_id=rid(),
                             supervisor_name=counter.supervisor_name,
                             supervisor_pin=counter.supervisor_pin, reason="again")
    assert err.value.error is LedgerErrorId.ALREADY_VOIDED
    assert counter.ledger.verify_audit().ok


def test_void_only_on_the_same_business_day(counter: Counter) -> None:
    code = make_code(counter.key)
    receipt = counter.service.redeem(rid(), code, CART, counter.cashier)
    counter.clock.advance(DAY)
    with pytest.raises(LedgerError) as err:
        counter.service.void(receipt.redemption_id, void_id=rid(),
                             supervisor_name=counter.supervisor_name,
                             supervisor_pin=counter.supervisor_pin, reason="late")
    assert err.value.error is LedgerErrorId.VOID_TOO_LATE
    with pytest.raises(LedgerError) as err:
        counter.service.void(rid(), void_id=rid(), supervisor_name=counter.supervisor_name,
                             supervisor_pin=counter.supervisor_pin, reason="x")
    assert err.value.error is LedgerErrorId.UNKNOWN_REDEMPTION


def test_count_entitlement_period_resets_next_day(counter: Counter) -> None:
    meal = claims(prg="elder-meal", ent=(Entitlement("m", ("meal",), Unit.COUNT, 1,
                                                     Period.DAY, val=1000),))
    code = make_code(counter.key, meal)
    counter.service.redeem(rid(), code, [CartLine("meal", 1000)], counter.cashier)
    assert counter.service.quote(code, [CartLine("meal", 1000)]).covered == 0
    counter.clock.advance(DAY)
    counter.operators.unlock(counter.cashier, "1234")
    assert counter.service.redeem(rid(), code, [CartLine("meal", 1000)],
                                  counter.cashier).covered == 1000


def test_stored_receipts_reprint_the_masked_name_not_the_id(counter: Counter) -> None:
    receipt = counter.service.redeem(rid(), make_code(counter.key), CART, counter.cashier)
    stored = counter.service.receipt(receipt.redemption_id)
    assert stored is not None and stored.masked_name == "马*花" == receipt.masked_name
    assert [r.receipt_no for r in counter.service.recent()] == [receipt.receipt_no]


def test_a_code_quoted_then_expired_is_refused_at_redeem(counter: Counter) -> None:
    code = make_code(counter.key, claims(exp=counter.clock.now + 60))
    assert counter.service.quote(code, CART).covered == 7000  # verified and cached
    counter.clock.advance(60 + 301)  # past expiry and the allowed clock skew
    with pytest.raises(CodeRejected) as err:
        counter.service.redeem(rid(), code, CART, counter.cashier)
    assert err.value.error is ErrorId.EXPIRED
    assert count(counter, RedemptionRow) == 0


def test_a_code_quoted_then_revoked_is_refused_at_redeem(counter: Counter) -> None:
    c = claims()
    code = make_code(counter.key, c)
    assert counter.service.quote(code, CART).covered == 7000
    TrustStore(counter.ledger).apply_revocations_page(revoked_sub=[c.sub], cursor="r9")
    with pytest.raises(CodeRejected) as err:
        counter.service.redeem(rid(), code, CART, counter.cashier)
    assert err.value.error is ErrorId.REVOKED
    assert count(counter, RedemptionRow) == 0


def test_the_servers_allocation_replaces_our_draws_once_it_booked_them(
        counter: Counter) -> None:
    """Offline we opened voucher v1; another shop had used v1 earlier, so the server
    books ours on v2. Once it accepted ours, its records replace our draws: v1 and v2
    are used, v3 and v4 are left (our own v1 must not hide the other shop's)."""
    baby = claims(sub="B-REALLOC-1")
    code = make_code(counter.key, baby)
    ours = counter.service.redeem(rid(), code, [CartLine("formula", 5000)], counter.cashier)
    usage = UsageLedger(counter.ledger)
    page = [ServerUsage("other-shop", baby.iss, baby.sub, "v1", 5000, 0, counter.clock.now - 60),
            ServerUsage(ours.redemption_id, baby.iss, baby.sub, "v1", 5000, 0,
                        counter.clock.now)]
    usage.apply_usage_page(page, cursor="u1")
    # Not yet acknowledged: our own row decides (v1), and the other shop's v1 too.
    assert counter.service.quote(code, [CartLine("formula", 20000)]).covered == 15000
    RedemptionOutbox(counter.ledger).apply_results(
        [PushResult(ours.redemption_id, PushOutcome.ACCEPTED)])
    # The server re-allocated ours to v2 (withdrawn, then booked again), in one page.
    usage.apply_usage_page([
        ServerUsage(ours.redemption_id, baby.iss, baby.sub, "v1", 5000, 0, 0, voided=True),
        ServerUsage(ours.redemption_id, baby.iss, baby.sub, "v2", 5000, 0, counter.clock.now),
    ], cursor="u2")
    assert sorted((r.rid, r.ent) for r in usage.usage(baby.iss, baby.sub)) == [
        (ours.redemption_id, "v2"), ("other-shop", "v1")]
    assert counter.service.quote(code, [CartLine("formula", 20000)]).covered == 10000
    # Voided here: neither our draw nor the server's echo of it counts.
    counter.service.void(ours.redemption_id, void_id=rid(),
                         supervisor_name=counter.supervisor_name,
                         supervisor_pin=counter.supervisor_pin, reason="退货")
    assert [r.rid for r in usage.usage(baby.iss, baby.sub)] == ["other-shop"]
