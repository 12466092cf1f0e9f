"""The 日结 from a ledger file alone: days in the program's zone, statuses (stuck too),
categories, operators, voids of earlier days as adjustments, time-flagged entries."""

from __future__ import annotations

import uuid
from datetime import date

from merchant_pos.domain import CartLine
from merchant_pos.printing.layout import plain_text
from merchant_pos.reports.csv_export import report_csv
from merchant_pos.reports.daily import build_report
from merchant_pos.reports.slip import report_lines
from tests.printing.conftest import shop  # noqa: F401
from tests.store.conftest import Counter, clock, counter, key, ledger  # noqa: F401
from tests.support.codes import DAY, ELDER_MEAL, claims, make_code

TODAY = date(2026, 2, 10)  # NOW is 11:00 in Shanghai


def _redeem(shop: Counter, cart: list[CartLine], code: str | None = None,  # noqa: F811
            by: object = None) -> str:
    rid = str(uuid.uuid4())
    shop.service.redeem(rid, code or make_code(shop.key), cart,
                        by or shop.cashier)  # type: ignore[arg-type]
    return rid


def test_day_totals_statuses_and_groups(shop: Counter) -> None:  # noqa: F811
    a = _redeem(shop, [CartLine("formula", 6000), CartLine("diaper", 1000)])
    b = _redeem(shop, [CartLine("diaper", 2000)])
    meal = make_code(shop.key, claims(prg="elder-meal", ent=ELDER_MEAL, sub="B-MEAL-1"))
    c = _redeem(shop, [CartLine("meal", 1500)], meal)
    with shop.ledger.write() as session:
        from sqlalchemy import text
        session.execute(text("UPDATE redemptions SET status = 'accepted' WHERE id = :i"),
                        {"i": a})
        session.execute(text("UPDATE outbox SET stuck_at = 1 WHERE redemption_id = :i"),
                        {"i": b})
    report = build_report(shop.ledger, TODAY)
    counts = {s: t.count for s, t in report.by_status.items() if t.count}
    assert counts == {"accepted": 1, "stuck": 1, "pending": 1}
    assert report.owed[a] == 6000 + 1000 and report.owed[b] is None and report.owed[c] is None
    assert report.totals.count == 3 and report.totals.covered == 7000 + 2000 + 1500
    assert report.totals.paid == 0 and report.totals.reimbursable == 7000
    assert report.totals.awaiting == 3500
    assert report.by_program["jss-baby-2023"].count == 2
    assert report.by_program["elder-meal"].covered == 1500
    assert report.by_category["diaper"].count == 2 and report.by_category["diaper"].total == 3000
    assert report.by_operator["李收银"].count == 3
    text_out = plain_text(report_lines(report, 32), 32)
    assert "日结报表" in text_out and "上传受阻" in text_out and "长者助餐" in text_out
    assert build_report(shop.ledger, date(2026, 2, 9)).totals.count == 0


def test_a_void_of_yesterday_is_todays_adjustment(shop: Counter) -> None:  # noqa: F811
    rid = _redeem(shop, [CartLine("formula", 6000)])
    with shop.ledger.write() as session:  # recorded yesterday, voided today
        from sqlalchemy import text
        session.execute(text("UPDATE redemptions SET created_at = created_at - :d WHERE id = :i"),
                        {"d": DAY, "i": rid})
        session.execute(text("INSERT INTO voids (id, redemption_id, supervisor_id, reason,"
                             " created_at) VALUES (:v, :i, 1, 'x', :t)"),
                        {"v": str(uuid.uuid4()), "i": rid, "t": shop.clock.now})
        session.execute(text("UPDATE redemptions SET status = 'voided' WHERE id = :i"),
                        {"i": rid})
    today = build_report(shop.ledger, TODAY)
    (adj,) = today.adjustments
    assert adj.original_day == date(2026, 2, 9) and adj.covered == 6000
    assert today.net_reimbursable == -6000
    assert "调整" in report_csv(today)
    # Over both days the redemption is simply voided: no adjustment counted twice.
    both = build_report(shop.ledger, date(2026, 2, 9), TODAY)
    assert both.adjustments == () and both.by_status["voided"].count == 1


def test_a_receipt_stamped_before_an_earlier_one_is_time_flagged(shop: Counter) -> None:  # noqa: F811
    _redeem(shop, [CartLine("formula", 1000)])
    shop.clock.advance(-100)  # the clock was turned back (within the trusted-time slack)
    late = _redeem(shop, [CartLine("formula", 1000)])
    report = build_report(shop.ledger, TODAY)
    assert [e.id for e in report.time_flagged] == [late]
    assert "时钟倒退" in plain_text(report_lines(report, 48), 48)
    assert report_csv(report, "en").splitlines()[0].startswith("Time,Receipt,Program")
