"""Quote rules beyond the vectors: ordering, once vouchers, reasons, inputs."""

from __future__ import annotations

import pytest

from merchant_pos.domain.claims import Entitlement, Period, Unit
from merchant_pos.domain.money import format_fen, parse_yuan
from merchant_pos.domain.quote import (
    CATEGORY_NOT_COVERED,
    LIMIT_REACHED,
    NOT_ACTIVE,
    CartLine,
    QuoteInputError,
    UsageRecord,
    quote,
)
from tests.support.codes import BABY_VOUCHERS, NOW, claims


def test_candidates_fewer_categories_then_earlier_until_then_id() -> None:
    ents = (
        Entitlement("b", ("meal", "fruit"), Unit.FEN, 100, Period.TOTAL),
        Entitlement("a", ("meal", "fruit"), Unit.FEN, 100, Period.TOTAL, until=NOW + 10),
        Entitlement("z", ("meal",), Unit.FEN, 100, Period.TOTAL),
        Entitlement("c", ("meal", "fruit"), Unit.FEN, 100, Period.TOTAL, until=NOW + 5),
    )
    result = quote(claims(ent=ents), NOW, [CartLine("meal", 350)])
    assert list(result.lines[0].draws) == ["z", "c", "a", "b"]
    assert result.lines[0].draws == {"z": 100, "c": 100, "a": 100, "b": 50}


def test_once_voucher_serves_later_lines_of_the_same_cart_only() -> None:
    c = claims(ent=BABY_VOUCHERS[:1])
    first = quote(c, NOW, [CartLine("formula", 3000), CartLine("diaper", 1500)])
    assert [x.covered for x in first.lines] == [3000, 1500]
    used = [UsageRecord("v1", 3000, 0, NOW - 60, "r1")]
    later = quote(c, NOW, [CartLine("diaper", 1500)], used)
    assert later.covered == 0 and later.lines[0].reason == LIMIT_REACHED


def test_reasons() -> None:
    ents = (Entitlement("x", ("meal",), Unit.COUNT, 1, Period.DAY, val=500, until=NOW),)
    result = quote(claims(ent=ents), NOW, [CartLine("meal", 100), CartLine("toy", 100)])
    assert [x.reason for x in result.lines] == [NOT_ACTIVE, CATEGORY_NOT_COVERED]
    assert result.pays == 200


def test_count_entitlement_takes_units_and_caps_at_line_amount() -> None:
    ents = (Entitlement("chk", ("checkup",), Unit.COUNT, 2, Period.YEAR, val=3000),)
    result = quote(claims(ent=ents), NOW, [CartLine("checkup", 10000, qty=3)])
    line = result.lines[0]
    assert line.units == {"chk": 2} and line.covered == 6000
    cheap = quote(claims(ent=ents), NOW, [CartLine("checkup", 1000, qty=1)]).lines[0]
    assert cheap.units == {"chk": 1} and cheap.covered == 1000


def test_usage_of_previous_period_does_not_count() -> None:
    ents = (Entitlement("meal", ("meal",), Unit.COUNT, 1, Period.DAY, val=1000),)
    # NOW is 11:00 in Shanghai; 3 h 1 s earlier... still today; 11 h 1 s earlier is yesterday.
    today = [UsageRecord("meal", 1000, 1, NOW - 3 * 3600, "r")]
    yesterday = [UsageRecord("meal", 1000, 1, NOW - 11 * 3600 - 1, "r")]
    c = claims(ent=ents)
    assert quote(c, NOW, [CartLine("meal", 1000)], today).covered == 0
    assert quote(c, NOW, [CartLine("meal", 1000)], yesterday).covered == 1000


@pytest.mark.parametrize("raw", [
    {"cat": "meal", "amount": 0, "qty": 1}, {"cat": "meal", "amount": 1.5},
    {"cat": "", "amount": 100}, {"cat": "meal", "amount": 100, "qty": 0},
    {"cat": "meal", "amount": True}, "meal",
])
def test_bad_cart_lines_are_refused(raw: object) -> None:
    with pytest.raises(QuoteInputError):
        CartLine.from_json(raw)


def test_bad_usage_records_are_refused() -> None:
    for raw in ({"ent": 1, "at": 0}, {"ent": "x", "at": "now"}, {"ent": "x", "at": 0,
                "amount": -1}, []):
        with pytest.raises(QuoteInputError):
            UsageRecord.from_json(raw)


def test_money_formatting_and_parsing() -> None:
    assert format_fen(16800) == "¥168.00"
    assert format_fen(-5) == "-¥0.05"
    assert format_fen(123456789) == "¥1,234,567.89"
    assert parse_yuan("12") == 1200 and parse_yuan("12.5") == 1250 and parse_yuan(" 0.05 ") == 5
    assert parse_yuan("１２．５") == 1250  # full-width, as a Chinese IME types it
    for bad in ("", "1.234", "-1", "1e3", "١٢", "abc", "1,5"):
        with pytest.raises(ValueError):
            parse_yuan(bad)
