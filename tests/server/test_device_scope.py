"""Answers are scoped to the device (and the devices it replaced): another device's UUID
is never confirmed; a revoked device's later redemptions are flagged after it
re-enrolls; re-enrolling a data folder links the old and the new device."""

from __future__ import annotations

from typing import Any

from merchant_pos.server import admin
from tests.server.world import Pos, World


def enroll(world: World, merchant: str, previous_token: str | None = None) -> tuple[Pos, str]:
    body: dict[str, Any] = {"code": world.enrollment_code(merchant), "name": "counter"}
    if previous_token:
        body["previous_token"] = previous_token
    r = world.http().post("/v1/devices/enroll", json=body)
    assert r.status_code == 201, r.text
    got = r.json()
    return Pos(world, got["device_id"], merchant, world.http(got["token"])), got["token"]


def test_another_devices_uuid_gets_no_outcome(world: World) -> None:
    a, b = world.pos("canteen-01"), world.pos("canteen-02")
    same_shop = world.pos("canteen-01", "counter 2")
    item = a.item(world.code("B-SCOPE-1"), world.clock.now - 60, [("meal", 1000, 1)])
    assert a.push(item)[0]["status"] == "accepted"
    for pos in (b, same_shop):  # another merchant, or a clone at the same one
        (r,) = pos.push(item)
        assert (r["status"], r["reason"], r["outcome"], r["conflict"], r["covered"]) == (
            "error", "uuid_taken", None, None, None)
        assert pos.client.get(f"/v1/redemptions/{item['uuid']}").status_code == 404
    (again,) = a.push(item)
    assert (again["status"], again["outcome"]) == ("duplicate", "accepted")


def test_revoked_then_re_enrolled_devices_later_redemptions_are_flagged(world: World) -> None:
    old, old_token = enroll(world, "canteen-01")
    now = world.clock.now
    code = world.code("B-REVOKED-1")
    synced = old.item(code, now - 7200, [("meal", 1000, 1)])
    assert old.push(synced)[0]["status"] == "accepted"
    admin.revoke_device(world.engine, old.device_id, now=now)
    # The counter goes on offline: one sale before the revocation (unsynced), one at
    # its very second and one after (the counter's own clock says so).
    before = old.item(world.code("B-REVOKED-2"), now - 60, [("meal", 1000, 1)])
    at = old.item(world.code("B-REVOKED-3"), now, [("meal", 1000, 1)])
    after = old.item(world.code("B-REVOKED-4"), now + 600, [("meal", 1000, 1)])
    assert old.client.post("/v1/redemptions", json={"items": [before]}).status_code == 403
    world.clock.now = now + 3600
    new, _ = enroll(world, "canteen-01", previous_token=old_token)
    assert new.device_id != old.device_id
    later = new.item(world.code("B-REVOKED-5"), now + 3700, [("meal", 1000, 1)])
    results = new.push(synced, before, at, after, later)
    assert [(r["status"], r["outcome"], r["review"]) for r in results] == [
        ("duplicate", "accepted", None),  # its own, from before: confirmed to its successor
        ("accepted", "accepted", None),
        ("accepted", "accepted", "device_revoked"),
        ("accepted", "accepted", "device_revoked"),
        ("accepted", "accepted", None)]
    assert new.client.get(f"/v1/redemptions/{after['uuid']}").json()["review"] == \
        "device_revoked"
    assert new.client.get(f"/v1/redemptions/{synced['uuid']}").json()["status"] == "accepted"


def test_linking_needs_the_old_token_and_retires_the_old_device(world: World) -> None:
    old, old_token = enroll(world, "canteen-01")
    item = old.item(world.code("B-LINK-1"), world.clock.now - 60, [("meal", 1000, 1)])
    old.push(item)
    # Someone else's token, or none: no link, the old device's UUIDs stay its own.
    stranger, _ = enroll(world, "canteen-01", previous_token="not-a-token-of-this-shop")
    assert stranger.push(item)[0]["reason"] == "uuid_taken"
    other_shop, _ = enroll(world, "canteen-02", previous_token=old_token)
    assert other_shop.push(item)[0]["reason"] == "uuid_taken"
    assert old.client.get("/v1/config").status_code == 200  # not retired by those
    new, _ = enroll(world, "canteen-01", previous_token=old_token)
    assert new.push(item)[0]["status"] == "duplicate"
    r = old.client.get("/v1/config")
    assert (r.status_code, r.json()["error"]) == (403, "device_revoked")
