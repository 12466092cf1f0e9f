"""Redemption push: per-item results, exactly once, and every rejection reason."""

from __future__ import annotations

import copy

from sqlalchemy import func, select

from merchant_pos.domain.cose import ALG_EDDSA
from merchant_pos.domain.issuing import IssuerKey
from merchant_pos.server import admin
from merchant_pos.server.demo_seed import BABY, CLINIC, ISSUER
from merchant_pos.server.schema import draws, redemptions, usage_events
from tests.server.world import World
from tests.support.codes import DAY


def _count(world: World, table=redemptions) -> int:  # type: ignore[no-untyped-def]
    with world.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def test_accepted_then_replayed_batch_is_duplicate_with_the_original_result(
        world: World) -> None:
    pos = world.pos("canteen-01")
    now = world.clock.now
    items = [pos.item(world.code(f"B-MEAL-{i:03d}"), now - 60, [("meal", 1200, 1)])
             for i in range(3)]
    first = pos.push(*items)
    assert [r["status"] for r in first] == ["accepted"] * 3
    assert [r["uuid"] for r in first] == [i["uuid"] for i in items]
    assert all(r["covered"] == 1200 and r["outcome"] == "accepted" for r in first)
    again = pos.push(*items)
    assert [r["status"] for r in again] == ["duplicate"] * 3
    assert [r["outcome"] for r in again] == ["accepted"] * 3
    assert _count(world) == 3
    assert _count(world, draws) == 6  # meal + fruit allowance each
    assert _count(world, usage_events) == 6


def test_same_uuid_twice_in_one_batch_is_stored_once(world: World) -> None:
    pos = world.pos("canteen-01")
    item = pos.item(world.code("B-MEAL-010"), world.clock.now, [("meal", 1000, 1)])
    results = pos.push(item, item)
    assert [r["status"] for r in results] == ["accepted", "duplicate"]
    assert _count(world) == 1


def test_same_uuid_with_different_content_is_an_error_and_stores_nothing(world: World) -> None:
    pos = world.pos("canteen-01")
    item = pos.item(world.code("B-MEAL-011"), world.clock.now, [("meal", 1000, 1)])
    pos.push(item)
    changed = copy.deepcopy(item)
    changed["lines"][0]["amount"] = 1100
    other = pos.item(world.code("B-MEAL-012"), world.clock.now, [("meal", 1000, 1)])
    results = pos.push(changed, other)
    assert results[0]["status"] == "error" and results[0]["reason"] == "uuid_reused"
    assert results[0]["outcome"] is None
    assert results[1]["status"] == "accepted"  # the rest of the batch goes through
    assert _count(world) == 2
    with world.engine.connect() as conn:
        body = conn.scalar(select(redemptions.c.body).where(redemptions.c.uuid == item["uuid"]))
    assert '"amount":1000' in body


def test_rejections_are_recorded_with_their_reason(world: World) -> None:
    pos = world.pos("canteen-02")  # elderly meals, meal category only
    now = world.clock.now
    code = world.code("B-MEAL-020")
    stranger = IssuerKey.generate(ALG_EDDSA, ISSUER, now - 400 * DAY, now + 400 * DAY)
    bad_sig = world.code("B-MEAL-021", key=stranger)  # kid unknown to the server
    baby = world.code("B-BABY-020", BABY)
    tampered = pos.item(code, now - 10, [("meal", 1000, 1)])
    tampered["code"] = tampered["code"][:-6] + ("A" if tampered["code"][-6] != "A" else "B") \
        + tampered["code"][-5:]
    too_much = pos.item(code, now - 5, [("meal", 1000, 1)])
    too_much["lines"][0]["draws"]["meal"] = 5000  # more than 1 unit x 10 yuan
    too_much["lines"][0]["covered"] = too_much["covered"] = 5000
    fruit = pos.item(code, now - 3, [("fruit", 800, 1)])
    cases = {
        "unknown_key": _forced_item(pos, bad_sig, now - 50, "meal", {"meal": 1000},
                                    {"meal": 1}),
        "wrong_program": _forced_item(pos, baby, now - 40, "formula", {"v1": 1000}),
        "expired": _forced_item(pos, world.code("B-MEAL-022", exp=now - 3600), now - 60,
                                "meal", {"meal": 1000}, {"meal": 1}),
        "redeemed_in_future": _forced_item(pos, code, now + 3600, "meal", {"meal": 1000},
                                           {"meal": 1}),
        "draws_invalid": too_much,
        "category_not_allowed": fruit,
        "unsupported_format": _forced_item(pos, "HC1:NOPE", now, "meal", {}),
    }
    results = pos.push(*cases.values())
    got = {r["uuid"]: (r["status"], r["reason"]) for r in results}
    for reason, item in cases.items():
        assert got[item["uuid"]] == ("rejected", reason), reason
    assert all(r["message"] for r in results)
    assert pos.push(tampered)[0]["reason"] in ("bad_signature", "malformed")
    # Rejected items are stored (a replay returns the same answer) but draw nothing.
    assert _count(world) == len(cases) + 1
    assert _count(world, draws) == 0
    replay = pos.push(cases["expired"])[0]
    assert (replay["status"], replay["outcome"], replay["reason"]) == \
        ("duplicate", "rejected", "expired")


def _forced_item(pos, code, at, cat, draws_, units=None):  # type: ignore[no-untyped-def]
    covered = sum(draws_.values())
    return {"type": "redemption", "uuid": __import__("uuid").uuid4().__str__(), "code": code,
            "at": at, "lines": [{"cat": cat, "amount": 1000, "qty": 1, "covered": covered,
                                 "draws": draws_, "units": units or {}}],
            "covered": covered}


def test_revocation_counts_from_its_time(world: World) -> None:
    pos = world.pos("clinic-01")
    now = world.clock.now
    code = world.code("B-CLIN-001", CLINIC)
    before = pos.item(code, now - 3600, [("checkup", 3000, 1)])
    admin.add_beneficiary(world.engine, program_id=CLINIC, name="王小明", sub="B-CLIN-001",
                          now=now - DAY)
    admin.revoke_beneficiary(world.engine, "B-CLIN-001", reason="moved away", now=now - 1800)
    after = pos.item(code, now - 60, [("checkup", 3000, 1)])
    results = pos.push(before, after)
    assert [(r["status"], r["reason"]) for r in results] == [("accepted", None),
                                                             ("rejected", "revoked")]


def test_voids(world: World) -> None:
    pos = world.pos("canteen-01")
    other_merchant = world.pos("clinic-01")
    now = world.clock.now
    item = pos.item(world.code("B-MEAL-030"), now - 100, [("meal", 1000, 1)])
    void = pos.void(item["uuid"], now - 50)
    # A void in the same batch as its redemption works; a second void is refused.
    r = pos.push(item, void, pos.void(item["uuid"], now - 40))
    assert [x["status"] for x in r] == ["accepted", "accepted", "rejected"]
    assert r[0]["voided"] is True and r[2]["reason"] == "already_voided"
    unknown = pos.void("00000000-0000-4000-8000-000000000000", now)
    theirs = other_merchant.void(item["uuid"], now)
    assert pos.push(unknown)[0]["reason"] == "void_target_unknown"
    assert other_merchant.push(theirs)[0]["reason"] == "void_target_unknown"
    assert other_merchant.client.get(f"/v1/redemptions/{item['uuid']}").status_code == 404
    rows = pos.client.get("/v1/settlement", params={"day": "2026-02-10"}).json()["rows"]
    assert [(x["status"], x["count"]) for x in rows] == [("voided", 1)]


def test_empty_push_is_fine(world: World) -> None:
    pos = world.pos("canteen-01")
    r = pos.client.post("/v1/redemptions", json={"items": []})
    assert r.status_code == 200 and r.json()["results"] == []
    assert r.json()["server_time"] == world.clock.now
