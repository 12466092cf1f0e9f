"""Bad requests get a 4xx JSON error with a stable id, name the problem, change nothing."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from merchant_pos.server.api_models import MAX_BODY_BYTES, MAX_PUSH_ITEMS
from merchant_pos.server.schema import redemptions
from tests.server.world import Pos, World


@pytest.fixture
def pos(world: World) -> Pos:
    return world.pos("canteen-01")


def _stored(world: World) -> int:
    with world.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(redemptions)) or 0)


def _error(r, status: int, error: str) -> dict:  # type: ignore[no-untyped-def]
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["error"] == error and body["message"]
    return body  # type: ignore[no-any-return]


def test_malformed_json(world: World, pos: Pos) -> None:
    r = pos.client.post("/v1/redemptions", content=b'{"items": [',
                        headers={"content-type": "application/json"})
    _error(r, 400, "malformed_json")
    r = pos.client.post("/v1/redemptions", content=b"items=1",
                        headers={"content-type": "application/x-www-form-urlencoded"})
    _error(r, 422, "invalid_request")
    assert _stored(world) == 0


def test_unknown_fields_and_wrong_types_name_the_problem(world: World, pos: Pos) -> None:
    good = pos.item(world.code("B-MEAL-300"), world.clock.now, [("meal", 1000, 1)])
    cases = [
        ({**good, "discount": 5}, ["body", "items", 0, "redemption", "discount"]),
        ({**good, "at": str(good["at"])}, ["body", "items", 0, "redemption", "at"]),
        ({**good, "covered": 10.5}, ["body", "items", 0, "redemption", "covered"]),
        ({**good, "covered": True}, ["body", "items", 0, "redemption", "covered"]),
        ({**good, "uuid": "not-a-uuid"}, ["body", "items", 0, "redemption", "uuid"]),
        ({**good, "type": "refund"}, ["body", "items", 0]),
        ({**good, "lines": []}, ["body", "items", 0, "redemption", "lines"]),
        ({**good, "lines": [{**good["lines"][0], "amount": -5}]},
         ["body", "items", 0, "redemption", "lines", 0, "amount"]),
        ({**good, "code": "x" * 5000}, ["body", "items", 0, "redemption", "code"]),
    ]
    for item, loc in cases:
        body = _error(pos.client.post("/v1/redemptions", json={"items": [item]}), 422,
                      "invalid_request")
        assert body["detail"][0]["loc"] == loc, (item, body)
        assert ".".join(map(str, loc)) in body["message"]
    _error(pos.client.post("/v1/redemptions", json={"items": [good], "x": 1}), 422,
           "invalid_request")
    _error(pos.client.post("/v1/redemptions", json=[good]), 422, "invalid_request")
    assert _stored(world) == 0
    assert pos.push(good)[0]["status"] == "accepted"


def test_oversized_batch(world: World, pos: Pos) -> None:
    void = {"type": "void", "voids": str(uuid.uuid4()), "at": world.clock.now}
    items = [void | {"uuid": str(uuid.uuid4())} for _ in range(MAX_PUSH_ITEMS + 1)]
    body = _error(pos.client.post("/v1/redemptions", json={"items": items}), 413,
                  "batch_too_large")
    assert str(MAX_PUSH_ITEMS) in body["message"]
    assert _stored(world) == 0
    assert len(pos.push(*items[:MAX_PUSH_ITEMS])) == MAX_PUSH_ITEMS


def test_oversized_body_by_length_and_by_stream(world: World, pos: Pos) -> None:
    big = json.dumps({"items": [], "pad": "x" * MAX_BODY_BYTES}).encode()
    _error(pos.client.post("/v1/redemptions", content=big,
                           headers={"content-type": "application/json"}), 413, "body_too_large")

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while reading
        for i in range(0, len(big), 65536):
            yield big[i:i + 65536]

    _error(pos.client.post("/v1/redemptions", content=chunks(),
                           headers={"content-type": "application/json"}), 413, "body_too_large")
    assert _stored(world) == 0
    # The server is still fine afterwards.
    assert pos.client.post("/v1/redemptions", json={"items": []}).status_code == 200


def test_unknown_paths_and_methods(pos: Pos) -> None:
    _error(pos.client.get("/v1/nothing-here"), 404, "not_found")
    _error(pos.client.get("/v2/config"), 404, "not_found")
    _error(pos.client.delete("/v1/config"), 405, "method_not_allowed")
    _error(pos.client.get("/v1/redemptions/not-a-uuid"), 422, "invalid_request")
    _error(pos.client.get("/v1/settlement", params={"day": "2026-13-45"}), 422,
           "invalid_request")
    _error(pos.client.post("/v1/devices/enroll", json={"code": "", "name": "x"}), 422,
           "invalid_request")
