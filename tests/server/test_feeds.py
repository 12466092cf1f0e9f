"""Trust list, revocation and usage deltas (paged, resumable), outcome changes, audit head."""

from __future__ import annotations

import base64

from sqlalchemy import select

from merchant_pos.domain.cose import ALG_ES256
from merchant_pos.domain.errors import CodeRejected
from merchant_pos.domain.trust import RevocationList, TrustList
from merchant_pos.domain.verify import verify
from merchant_pos.server import admin
from merchant_pos.server.demo_seed import CLINIC, ISSUER, MEALS
from merchant_pos.server.schema import issued_codes
from tests.server.world import World


def test_trust_list_verifies_issued_codes_and_follows_key_retirement(world: World) -> None:
    pos = world.pos("canteen-01")
    now = world.clock.now
    kid2 = admin.create_key(world.engine, iss=ISSUER, alg="es256", now=now + 1)  # the newest
    body = pos.client.get("/v1/trust-list").json()
    assert body["server_time"] == now
    trust = TrustList.from_json(body["keys"])
    assert len(trust) == 2
    assert {k["kid"] for k in body["keys"]} == {
        base64.b64encode(world.key.kid).decode(), base64.b64encode(bytes.fromhex(kid2)).decode()}
    assert ALG_ES256 in {k["alg"] for k in body["keys"]}
    # The server issues with its newest key; the POS verifies with the pulled list.
    admin.add_beneficiary(world.engine, program_id=MEALS, name="李秀英", sub="B-MEAL-200",
                          now=now)
    issued = admin.issue_beneficiary_code(world.engine, "B-MEAL-200", now=now + 1)
    with world.engine.connect() as conn:
        signed_by = conn.scalar(select(issued_codes.c.kid)
                                .where(issued_codes.c.cti == issued.cti))
    assert signed_by == kid2
    claims = verify(issued.text, trust, now, programs=[MEALS]).claims
    assert (claims.sub, claims.nm, claims.prg) == ("B-MEAL-200", "李*英", MEALS)
    # Retired: still trusted (codes already out stay valid). Withdrawn: gone.
    admin.retire_key(world.engine, kid2, withdraw=False, now=now)
    assert len(pos.client.get("/v1/trust-list").json()["keys"]) == 2
    admin.retire_key(world.engine, kid2, withdraw=True, now=now)
    keys = pos.client.get("/v1/trust-list").json()["keys"]
    assert [k["kid"] for k in keys] == [base64.b64encode(world.key.kid).decode()]
    try:
        verify(issued.text, TrustList.from_json(keys), now)
    except CodeRejected as exc:
        assert exc.error.value == "unknown_key"
    else:
        raise AssertionError("a withdrawn key must not verify")


def test_revocation_deltas_page_and_resume(world: World) -> None:
    pos = world.pos("clinic-01")
    now = world.clock.now
    subs = [admin.add_beneficiary(world.engine, program_id=CLINIC, name=f"张{i}",
                                  sub=f"B-CLIN-{i:03d}", now=now) for i in range(7)]
    for sub in subs[:5]:
        admin.revoke_beneficiary(world.engine, sub, reason="test", now=now)
    issued = admin.issue_beneficiary_code(world.engine, subs[6], now=now)
    assert admin.revoke_code(world.engine, issued.cti, reason="phone lost", now=now + 1)
    assert not admin.revoke_code(world.engine, issued.cti, reason="again", now=now + 2)
    first = pos.client.get("/v1/revocations", params={"limit": 4}).json()
    assert len(first["items"]) == 4 and first["more"] is True
    # A crash after this page: resume from the stored cursor, nothing lost or repeated.
    rest, cursor = pos.pages("/v1/revocations", after=first["cursor"], limit=4)
    items = first["items"] + rest
    assert [(i["kind"], i["value"]) for i in items] == \
        [("sub", s) for s in subs[:5]] + [("cti", issued.cti)]
    rl = RevocationList.from_json({"cti": [i["value"] for i in items if i["kind"] == "cti"],
                                   "sub": [i["value"] for i in items if i["kind"] == "sub"]})
    assert rl.is_revoked(bytes.fromhex(issued.cti), "x")
    admin.revoke_beneficiary(world.engine, subs[5], reason="test", now=now)
    newer, _ = pos.pages("/v1/revocations", after=cursor)
    assert [i["value"] for i in newer] == [subs[5]]
    assert newer[0]["revoked_at"] == now


def test_usage_deltas_show_the_draws_of_my_programs(world: World) -> None:
    a, b = world.pos("canteen-01"), world.pos("canteen-02")
    b2 = world.pos("canteen-02", "counter 2")
    clinic = world.pos("clinic-01")
    now = world.clock.now
    items = [a.item(world.code(f"B-MEAL-{i:03d}"), now - 100 + i, [("meal", 1000, 1)])
             for i in range(12)]
    a.push(*items[:7])
    a.push(*items[7:])
    mine, _ = a.pages("/v1/usage")
    # A device gets its own draws back too: the server's allocation replaces its own.
    assert [u["rid"] for u in mine] == [i["uuid"] for i in items]
    seen, cursor = b.pages("/v1/usage", limit=5)
    assert [u["rid"] for u in seen] == [i["uuid"] for i in items]
    u = seen[0]
    assert (u["merchant"], u["prg"], u["ent"], u["amount"], u["units"], u["voided"]) == \
        ("canteen-01", MEALS, "meal", 1000, 1, False)
    assert u["at"] == now - 100 and u["iss"] == ISSUER and u["sub"] == "B-MEAL-000"
    assert b.pages("/v1/usage", after=cursor)[0] == []
    # Another counter of the same shop is another device: it sees them too.
    assert len(b2.pages("/v1/usage")[0]) == 12
    assert clinic.pages("/v1/usage")[0] == []


def test_bad_cursor_and_limit_are_422(world: World) -> None:
    pos = world.pos("canteen-01")
    for params in ({"after": "abc"}, {"after": "-1"}, {"limit": 0}, {"limit": 100000}):
        r = pos.client.get("/v1/usage", params=params)
        assert (r.status_code, r.json()["error"]) == (422, "invalid_request"), params


def test_audit_head_is_stored_per_device(world: World) -> None:
    a, b = world.pos("canteen-01"), world.pos("canteen-01", "counter 2")
    assert a.client.get("/v1/device/audit-head").json() is None
    head = {"seq": 42, "head": "ab" * 32, "at": world.clock.now - 5}
    r = a.client.put("/v1/device/audit-head", json=head)
    assert r.status_code == 200
    assert r.json() == head | {"received_at": world.clock.now}
    assert a.client.get("/v1/device/audit-head").json() == head | {"received_at": world.clock.now}
    assert b.client.get("/v1/device/audit-head").json() is None
    bad = a.client.put("/v1/device/audit-head", json=head | {"head": "not hex"})
    assert bad.status_code == 422
