"""The server facing the internet: connections that never finish their headers or body
are closed, enrollment attempts are rate-limited, rejected items have a quota, and bad
types are refused cleanly."""

from __future__ import annotations

import socket
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from merchant_pos.server.device_links import EnrollLimits
from merchant_pos.server.embedded import EmbeddedServer
from merchant_pos.server.http_guard import GuardedH11Protocol
from merchant_pos.server.ingest import MAX_REJECTED_PER_DEVICE
from merchant_pos.server.schema import redemptions
from tests.server.world import World


class QuickDeadlines(GuardedH11Protocol):
    header_timeout = 0.2
    body_timeout = 0.2


def _until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes (the 30 s only guards against a hang)."""
    sock.settimeout(30)
    got = b""
    while chunk := sock.recv(4096):
        got += chunk
    return got


def test_headers_and_bodies_that_never_arrive_are_cut_off(world: World) -> None:
    server = EmbeddedServer(world.server.db_url, clock=world.clock, init_schema=False,
                            http_protocol=QuickDeadlines)
    base = server.start()
    host, port = base.removeprefix("http://").split(":")
    pos = world.pos("canteen-01")
    token = pos.client.headers["authorization"]
    try:
        silent = [socket.create_connection((host, int(port))) for _ in range(20)]
        trickle = [socket.create_connection((host, int(port))) for _ in range(20)]
        for s in trickle:
            s.sendall(b"POST /v1/redemptions HTTP/1.1\r\nHost: x\r\nContent-Le")
        assert [_until_closed(s) for s in silent + trickle] == [b""] * 40
        # Headers complete, body promised and never sent: cut off, nothing stored.
        item = pos.item(world.code("B-SLOW-1"), world.clock.now - 60, [("meal", 1000, 1)])
        stalled = socket.create_connection((host, int(port)))
        stalled.sendall(f"POST /v1/redemptions HTTP/1.1\r\nHost: x\r\nAuthorization: {token}"
                        "\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n"
                        '{"items": ['.encode())
        answer = _until_closed(stalled)
        assert b" 200 " not in answer.split(b"\r\n")[0]
        with world.engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(redemptions)
                               .where(redemptions.c.uuid == item["uuid"])) == 0
        # Whole requests are served, two on one kept-alive connection.
        with httpx.Client(base_url=base, headers={"Authorization": token}) as client:
            assert client.get("/v1/health").status_code == 200
            r = client.post("/v1/redemptions", json={"items": [item]})
            assert r.status_code == 200 and r.json()["results"][0]["status"] == "accepted"
        for s in silent + trickle + [stalled]:
            s.close()
    finally:
        server.stop()


def test_enrollment_attempts_are_rate_limited_per_address_and_per_code(world: World) -> None:
    limits = EnrollLimits()
    client = world.http()
    for i in range(limits.failures_per_address):
        r = client.post("/v1/devices/enroll", json={"code": f"WRONG-{i:05d}", "name": "x"})
        assert r.json()["error"] == "enrollment_code_unknown"
    good = world.enrollment_code("canteen-01")
    r = client.post("/v1/devices/enroll", json={"code": good, "name": "x"})
    assert (r.status_code, r.json()["error"]) == (429, "rate_limited")
    assert int(r.headers["retry-after"]) > 0
    world.clock.now += limits.window + 1  # the window has passed
    assert client.post("/v1/devices/enroll", json={"code": good, "name": "x"}).status_code == 201
    # The same code tried again and again (it is used now): limited per code.
    errors = [client.post("/v1/devices/enroll", json={"code": good, "name": "x"}).json()["error"]
              for _ in range(limits.attempts_per_code)]
    assert errors == ["enrollment_code_used"] * (limits.attempts_per_code - 1) + ["rate_limited"]


def test_rejected_items_have_a_quota_per_device(world: World) -> None:
    pos, other = world.pos("canteen-01"), world.pos("canteen-01", "counter 2")
    now = world.clock.now

    def garbage(n: int) -> list[dict[str, Any]]:
        return [{"type": "redemption", "uuid": str(uuid.uuid4()), "code": "BC1:NOT-A-CODE",
                 "at": now - 60, "lines": [{"cat": "meal", "amount": 1000, "covered": 0}],
                 "covered": 0} for _ in range(n)]

    for start in range(0, MAX_REJECTED_PER_DEVICE, 500):
        results = pos.push(*garbage(min(500, MAX_REJECTED_PER_DEVICE - start)))
        assert {r["status"] for r in results} == {"rejected"}
    one_more = garbage(1)
    good = pos.item(world.code("B-QUOTA-1"), now - 60, [("meal", 1000, 1)])
    r = pos.client.post("/v1/redemptions", json={"items": [good, *one_more]})
    assert (r.status_code, r.json()["error"]) == (409, "rejected_quota_exceeded")
    with world.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(redemptions).where(
            redemptions.c.uuid.in_([good["uuid"], one_more[0]["uuid"]]))) == 0
    # Batches that add no rejected item still go through; other devices are not held.
    assert pos.push(good)[0]["status"] == "accepted"
    assert other.push(*one_more)[0]["status"] == "rejected"


BAD_BODIES = [
    ("/v1/devices/enroll", {"code": 12345, "name": "x"}),
    ("/v1/devices/enroll", {"code": ["K7QPM"], "name": "x"}),
    ("/v1/devices/enroll", {"code": "K7QPM-3XR9A", "name": {"a": 1}}),
    ("/v1/devices/enroll", {"code": "K7QPM-3XR9A", "name": "x", "previous_token": 7}),
    ("/v1/devices/enroll", ["code"]),
    ("/v1/redemptions", {"items": {"type": "void"}}),
    ("/v1/redemptions", {"items": [{"type": "redemption", "uuid": str(uuid.uuid4()),
                                    "code": ["BC1:X"], "at": 1, "covered": 0,
                                    "lines": [{"cat": "meal", "amount": 1, "covered": 0}]}]}),
    ("/v1/redemptions", {"items": [{"type": "redemption", "uuid": str(uuid.uuid4()),
                                    "code": "BC1:X", "at": "1", "covered": 0,
                                    "lines": [{"cat": "meal", "amount": 1, "covered": 0}]}]}),
    ("/v1/redemptions", {"items": [{"type": "void", "uuid": str(uuid.uuid4()),
                                    "voids": 5, "at": 1}]}),
    ("/v1/redemptions", None),
    ("/v1/redemptions", "items"),
]


@pytest.mark.parametrize(("path", "body"), BAD_BODIES)
def test_bad_types_are_refused_cleanly(world: World, path: str, body: Any) -> None:
    pos = world.pos("canteen-01")
    before = _count(world)
    r = pos.client.post(path, json=body)
    assert (r.status_code, r.json()["error"]) == (422, "invalid_request"), r.text
    assert r.json()["detail"]
    r = pos.client.put("/v1/device/audit-head", json={"seq": "1", "head": "ab" * 16, "at": 1})
    assert (r.status_code, r.json()["error"]) == (422, "invalid_request")
    assert _count(world) == before


def _count(world: World) -> int:
    with world.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(redemptions)) or 0)
