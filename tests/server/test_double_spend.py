"""Double spend: two merchants' devices redeem one beneficiary offline beyond a limit."""

from __future__ import annotations

import json

import pytest

from merchant_pos.server.cli import main
from merchant_pos.server.demo_seed import BABY
from tests.server.world import World
from tests.support.codes import DAY


def test_later_redemption_by_time_is_the_conflict_whichever_syncs_first(world: World) -> None:
    code = world.code("B-MEAL-001")
    a, b = world.pos("canteen-01"), world.pos("canteen-02")
    now = world.clock.now
    # Both offline: each POS sees no usage and covers one meal (limit: 1 a day); the
    # early one also spends the week's fruit allowance (20 yuan), which may pay meals.
    early = a.item(code, now - 3600, [("meal", 3000, 1)])
    late = b.item(code, now - 600, [("meal", 1000, 1)])
    assert (early["covered"], late["covered"]) == (3000, 1000)

    # The later one syncs first: accepted, nothing is known yet.
    (r_late,) = b.push(late)
    assert r_late["status"] == "accepted"

    # The earlier one arrives: it is within the limit; the later one flips to conflict.
    (r_early,) = a.push(early)
    assert r_early["status"] == "accepted"
    changes, _ = b.pages("/v1/redemptions/changes")
    assert [(c["uuid"], c["status"]) for c in changes] == [(late["uuid"], "conflict")]
    (exceeded,) = changes[0]["conflict"]["exceeded"]
    assert exceeded["ent"] == "meal"
    assert exceeded["unit"] == "count" and exceeded["per"] == "day" and exceeded["lim"] == 1
    assert exceeded["used_before"] == 1 and exceeded["drawn"] == 1
    assert exceeded["earlier"] == [early["uuid"]]
    assert exceeded["period_start"] <= late["at"] < exceeded["period_end"]
    assert (changes[0]["conflict"]["covered"], changes[0]["conflict"]["quote_covered"]) == \
        (1000, 0)

    # Replaying returns the current recorded outcome.
    (again,) = b.push(late)
    assert again["status"] == "duplicate" and again["outcome"] == "conflict"
    assert a.client.get(f"/v1/redemptions/{early['uuid']}").json()["status"] == "accepted"
    # The device that made the earlier one hears nothing.
    assert a.pages("/v1/redemptions/changes")[0] == []


def test_conflict_is_flagged_at_push_and_shows_in_settlement(
        world: World, capsys: pytest.CaptureFixture[str]) -> None:
    code = world.code("B-MEAL-002")
    a, b = world.pos("canteen-01"), world.pos("canteen-02")
    now = world.clock.now
    (r1,) = a.push(a.item(code, now - 3600, [("meal", 3000, 1)]))
    second = b.item(code, now - 60, [("meal", 1500, 1)])
    (r2,) = b.push(second)
    assert r1["status"] == "accepted"
    assert r2["status"] == "conflict" and r2["outcome"] == "conflict"
    assert [x["ent"] for x in r2["conflict"]["exceeded"]] == ["fruit", "meal"]
    assert r2["covered"] == 1500  # meal 1000 + fruit allowance 500, recorded as covered

    day = "2026-02-10"
    rows = b.client.get("/v1/settlement", params={"day": day}).json()["rows"]
    assert rows == [{"day": day, "merchant": "canteen-02", "program": "elder-meal-2026",
                     "cat": "meal", "status": "conflict", "count": 1, "total": 1500,
                     "covered": 1500}]
    # The operator's report lists both shops, the conflict included.
    assert main(["--db", world.server.db_url, "settlement", "--day", day, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [(x["merchant"], x["status"], x["covered"]) for x in report] == [
        ("canteen-01", "accepted", 3000), ("canteen-02", "conflict", 1500)]
    assert main(["--db", world.server.db_url, "settlement", "--day", day]) == 0
    text = capsys.readouterr().out
    assert "canteen-02" in text and "conflict" in text and "15.00" in text


def test_voiding_the_earlier_redemption_clears_the_conflict(world: World) -> None:
    code = world.code("B-MEAL-003")
    a, b = world.pos("canteen-01"), world.pos("canteen-02")
    now = world.clock.now
    first = a.item(code, now - 3600, [("meal", 3000, 1)])
    second = b.item(code, now - 60, [("meal", 1200, 1)])
    a.push(first)
    assert b.push(second)[0]["status"] == "conflict"
    (void,) = a.push(a.void(first["uuid"], now))
    assert void["status"] == "accepted"
    changes, _ = b.pages("/v1/redemptions/changes")
    assert [(c["uuid"], c["status"]) for c in changes] == [(second["uuid"], "accepted")]
    first_now = a.client.get(f"/v1/redemptions/{first['uuid']}").json()
    assert first_now["voided"] is True
    # b's usage feed shows a's draws, then their cancellation, then the server's new
    # allocation of b's own redemption (the conflict had drawn nothing).
    usage, _ = b.pages("/v1/usage")
    assert [(u["rid"], u["ent"], u["amount"], u["voided"]) for u in usage] == [
        (first["uuid"], "fruit", 2000, False), (first["uuid"], "meal", 1000, False),
        (first["uuid"], "fruit", 2000, True), (first["uuid"], "meal", 1000, True),
        (second["uuid"], "fruit", 200, False), (second["uuid"], "meal", 1000, False)]


def test_single_use_vouchers_opened_twice_are_reallocated_not_flagged(world: World) -> None:
    code = world.code("B-BABY-001", BABY)
    shop = world.pos("baby-shop-01", "counter 1")
    other = world.pos("baby-shop-01", "counter 2")
    now = world.clock.now
    one = shop.item(code, now - 7200, [("formula", 5000, 1)])
    two = other.item(code, now - 3600, [("diaper", 3000, 1)])
    # Offline, each took voucher v1 (a single-use voucher of 50 yuan); she has four.
    assert [one["lines"][0]["draws"], two["lines"][0]["draws"]] == [{"v1": 5000}, {"v1": 3000}]
    results = shop.push(one) + other.push(two)
    assert [r["status"] for r in results] == ["accepted", "accepted"]
    usage, _ = shop.pages("/v1/usage")
    assert [(u["rid"], u["ent"], u["amount"]) for u in usage] == [
        (one["uuid"], "v1", 5000), (two["uuid"], "v2", 3000)]


def test_periods_reset_in_the_program_time_zone(world: World) -> None:
    code = world.code("B-MEAL-004")
    a, b = world.pos("canteen-01"), world.pos("canteen-02")
    # NOW is 11:00 in Shanghai; 13 hours later is the next local day.
    now = world.clock.now
    today = a.item(code, now, [("meal", 1200, 1)])
    world.clock.now = now + 13 * 3600
    tomorrow = b.item(code, now + 13 * 3600, [("meal", 1200, 1)])
    assert [r["status"] for r in a.push(today) + b.push(tomorrow)] == ["accepted", "accepted"]
    world.clock.now = now + DAY
    # The meal of that day is taken; the week's fruit allowance has 16 yuan left.
    third = b.item(code, now + 14 * 3600, [("meal", 3000, 1)])
    (r3,) = b.push(third)
    assert r3["status"] == "conflict"
    assert (r3["conflict"]["covered"], r3["conflict"]["quote_covered"]) == (3000, 1600)
