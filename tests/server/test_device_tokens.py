"""Repeatable enrollment, token rotation and token expiry on the server (SQLite and
PostgreSQL), with the server's clock set by the test."""

from __future__ import annotations

from typing import Any

from merchant_pos.server.device_tokens import (
    DEFAULT_ROTATE_HOURS,
    DEFAULT_TTL_HOURS,
    REPLAY_GRACE_SECONDS,
    seal_token,
    unseal_token,
)
from tests.server.world import World

HOUR = 3600
REQUEST = "r" * 10 + "-" * 2 + "Q" * 20


def _enroll(world: World, code: str,
            request_id: str | None = REQUEST) -> tuple[int, dict[str, Any]]:
    body = {"code": code, "name": "counter"}
    if request_id is not None:
        body["request_id"] = request_id
    r = world.http().post("/v1/devices/enroll", json=body)
    return r.status_code, r.json()


def _config(world: World, token: str) -> tuple[int, dict[str, Any]]:
    r = world.http(token).get("/v1/config")
    return r.status_code, r.json()


def test_the_same_request_gets_the_same_device_and_token_until_the_device_syncs(
    world: World
) -> None:
    code = world.enrollment_code("canteen-01")
    status, first = _enroll(world, code)
    assert status == 201
    world.clock.now += REPLAY_GRACE_SECONDS - 60  # the code itself expired meanwhile
    status, again = _enroll(world, code)
    assert status == 201 and (again["device_id"], again["token"]) == \
        (first["device_id"], first["token"])
    assert _enroll(world, code, "x" * 22)[0] == 409  # another request: the code is used
    assert _enroll(world, code, None)[0] == 409
    assert _config(world, first["token"])[0] == 200  # the device synced...
    assert _rotate(world, first["token"])[0] == 200  # ...and took a successor token...
    assert _enroll(world, code)[0] == 409  # ...so nothing is repeated any more


def test_a_repeat_after_the_grace_time_is_refused(world: World) -> None:
    code = world.enrollment_code("canteen-01")
    assert _enroll(world, code)[0] == 201
    world.clock.now += REPLAY_GRACE_SECONDS + 1
    assert _enroll(world, code)[0] == 409


def _rotate(world: World, token: str) -> tuple[int, dict[str, Any]]:
    r = world.http(token).post("/v1/device/token")
    return r.status_code, r.json()


def test_tokens_rotate_and_the_previous_one_lasts_until_the_successor_is_used(
    world: World
) -> None:
    token = _enroll(world, world.enrollment_code("canteen-01"))[1]["token"]
    status, body = _config(world, token)
    assert status == 200 and body["token"] == {"rotate": False}  # fresh
    world.clock.now += DEFAULT_ROTATE_HOURS * HOUR
    assert _config(world, token)[1]["token"] == {"rotate": True}
    lost = _rotate(world, token)[1]["next"]  # this answer is lost...
    status, body = _rotate(world, token)  # ...so the device asks again
    assert status == 200
    successor = body["next"]
    assert successor != lost
    assert _config(world, lost)[0] == 401  # replaced before it was ever used
    status, body = _config(world, successor)
    assert status == 200 and body["token"] == {"rotate": False}  # promoted, fresh again
    assert _config(world, token)[0] == 401  # the previous one is over


def test_a_token_expires_after_too_long_without_a_sync(world: World) -> None:
    token = _enroll(world, world.enrollment_code("canteen-01"))[1]["token"]
    status, body = _config(world, token)
    assert body["policies"]["token_ttl_hours"] == DEFAULT_TTL_HOURS
    world.clock.now += DEFAULT_TTL_HOURS * HOUR  # the last second still counts
    status, body = _config(world, token)
    assert status == 200
    world.clock.now += DEFAULT_TTL_HOURS * HOUR + 1
    status, body = _config(world, token)
    assert status == 401 and body["error"] == "token_expired"
    r = world.http(token).post("/v1/redemptions", json={"items": []})
    assert r.status_code == 401 and r.json()["error"] == "token_expired"


def test_the_sealed_token_opens_only_with_its_request_id() -> None:
    sealed = seal_token("secret-token", REQUEST)
    assert "secret-token" not in sealed
    assert unseal_token(sealed, REQUEST) == "secret-token"
    assert unseal_token(sealed, REQUEST + "x") is None
    assert unseal_token("not base64!", REQUEST) is None
