"""Device enrollment and authentication: one-time codes, tokens stored hashed, scoping."""

from __future__ import annotations

from sqlalchemy import select

from merchant_pos.server import admin
from merchant_pos.server.auth import hash_secret
from merchant_pos.server.schema import devices
from tests.server.world import World


def test_enrollment_gives_a_token_stored_only_hashed(world: World) -> None:
    code = world.enrollment_code("canteen-01")
    r = world.http().post("/v1/devices/enroll", json={"code": code.lower(), "name": "前台"})
    assert r.status_code == 201
    body = r.json()
    assert body["merchant_id"] == "canteen-01" and body["merchant_name"] == "商户 canteen-01"
    assert body["server_time"] == world.clock.now
    with world.engine.connect() as conn:
        row = conn.execute(select(devices).where(devices.c.id == body["device_id"])).one()
    assert row.token_hash == hash_secret(body["token"])
    assert body["token"] not in repr(tuple(row))
    me = world.http(body["token"]).get("/v1/config").json()
    assert me["device"] == {"id": body["device_id"], "name": "前台", "number": 1}
    assert body["device_number"] == 1


def test_enrollment_code_is_one_time_and_expires(world: World) -> None:
    client = world.http()
    code = world.enrollment_code("canteen-01", hours=1)
    assert client.post("/v1/devices/enroll", json={"code": code, "name": "a"}).status_code == 201
    again = client.post("/v1/devices/enroll", json={"code": code, "name": "b"})
    assert (again.status_code, again.json()["error"]) == (409, "enrollment_code_used")
    unknown = client.post("/v1/devices/enroll", json={"code": "AAAAA-BBBBB", "name": "c"})
    assert (unknown.status_code, unknown.json()["error"]) == (404, "enrollment_code_unknown")
    old = world.enrollment_code("canteen-01", hours=1)
    world.clock.now += 3600
    expired = client.post("/v1/devices/enroll", json={"code": old, "name": "d"})
    assert (expired.status_code, expired.json()["error"]) == (410, "enrollment_code_expired")


def test_missing_or_wrong_token_is_401_and_revoked_device_is_403(world: World) -> None:
    paths = ["/v1/config", "/v1/trust-list", "/v1/revocations", "/v1/usage",
             "/v1/redemptions/changes", "/v1/device/audit-head"]
    anonymous, wrong = world.http(), world.http("not-a-token")
    for path in paths:
        for client in (anonymous, wrong):
            r = client.get(path)
            assert r.status_code == 401, path
            assert r.json()["error"] == "unauthorized"
    r = anonymous.post("/v1/redemptions", json={"items": []})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    pos = world.pos("canteen-01")
    assert pos.client.get("/v1/config").status_code == 200
    admin.revoke_device(world.engine, pos.device_id, now=world.clock.now)
    r = pos.client.get("/v1/config")
    assert (r.status_code, r.json()["error"]) == (403, "device_revoked")
    assert pos.client.post("/v1/redemptions", json={"items": []}).status_code == 403


def test_a_device_sees_only_its_own_merchant(world: World) -> None:
    canteen, clinic = world.pos("canteen-01"), world.pos("clinic-01")
    cfg = canteen.client.get("/v1/config").json()
    assert cfg["merchant"] == {"id": "canteen-01", "name": "商户 canteen-01", "kind": "canteen"}
    assert [p["id"] for p in cfg["programs"]] == ["elder-meal-2026"]
    assert cfg["programs"][0]["allowed_categories"] == ["fruit", "meal"]
    assert [c["name"] for c in cfg["programs"][0]["categories"]] == [
        {"zh_CN": "水果", "en": "Fruit"}, {"zh_CN": "餐食", "en": "Meal"}]
    assert cfg["standard_items"] == [{"id": "lunch", "program": "elder-meal-2026", "cat": "meal",
                                      "name": {"zh_CN": "长者午餐", "en": "Senior lunch"},
                                      "price": 1200}]
    assert cfg["policies"]["max_offline_hours"] == 72
    assert cfg["policies"]["max_unsynced_covered"] == 200_000
    assert cfg["server_time"] == world.clock.now
    clinic_cfg = clinic.client.get("/v1/config").json()
    assert [p["id"] for p in clinic_cfg["programs"]] == ["clinic-checkup-2026"]
    assert clinic_cfg["standard_items"] == []
    # A canteen's redemption is invisible to the clinic: status, usage, settlement.
    item = canteen.item(world.code("B-MEAL-100"), world.clock.now, [("meal", 1000, 1)])
    canteen.push(item)
    assert clinic.client.get(f"/v1/redemptions/{item['uuid']}").status_code == 404
    assert clinic.pages("/v1/usage")[0] == []
    rows = clinic.client.get("/v1/settlement", params={"day": "2026-02-10"}).json()["rows"]
    assert rows == []


def test_restricted_categories_show_in_config(world: World) -> None:
    pos = world.pos("canteen-02")
    cfg = pos.client.get("/v1/config").json()
    assert cfg["programs"][0]["allowed_categories"] == ["meal"]


def test_one_code_enrolls_one_device_even_when_used_at_once(world: World) -> None:
    import threading

    code = world.enrollment_code("canteen-01")
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def enroll(i: int) -> None:
        client = world.http()
        barrier.wait(timeout=30)
        statuses.append(client.post("/v1/devices/enroll",
                                    json={"code": code, "name": f"pos {i}"}).status_code)

    threads = [threading.Thread(target=enroll, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(statuses) == [201, 409, 409, 409]
    with world.engine.connect() as conn:
        assert len(conn.execute(select(devices.c.id)).all()) == 1
