"""A small world on the real embedded server: a key, the demo programs, four merchants,
and POS clients that enroll through the API and push real, quoted redemptions."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import Engine

from merchant_pos.domain.claims import Entitlement
from merchant_pos.domain.issuing import IssuerKey, issue_code
from merchant_pos.domain.quote import CartLine, UsageRecord, quote
from merchant_pos.domain.trust import TrustList
from merchant_pos.domain.verify import verify
from merchant_pos.server import admin
from merchant_pos.server.admin import StandardItem
from merchant_pos.server.demo_seed import BABY, CLINIC, ISSUER, MEALS, PROGRAMS
from merchant_pos.server.embedded import EmbeddedServer
from tests.support.codes import DAY, NOW, claims

ENTS: dict[str, tuple[Entitlement, ...]] = {p[0]: tuple(p[4]) for p in PROGRAMS}
MERCHANTS = {
    "baby-shop-01": ("baby_shop", BABY, ()),
    "canteen-01": ("canteen", MEALS, ()),
    "canteen-02": ("canteen", MEALS, ((MEALS, "meal"),)),  # may not redeem fruit
    "clinic-01": ("clinic", CLINIC, ()),
}


class Clock:
    """The server's clock, set by the test."""

    def __init__(self, now: int = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return float(self.now)


@dataclass
class World:
    server: EmbeddedServer
    engine: Engine
    base_url: str
    clock: Clock
    key: IssuerKey
    clients: list[httpx.Client] = field(default_factory=list)

    @property
    def trust(self) -> TrustList:
        return TrustList([self.key.trusted_key()])

    def http(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        client = httpx.Client(base_url=self.base_url, headers=headers, timeout=30)
        self.clients.append(client)
        return client

    def enrollment_code(self, merchant: str, hours: float = 24) -> str:
        return admin.create_enrollment_code(self.engine, merchant, hours=hours,
                                            now=self.clock.now)

    def pos(self, merchant: str, name: str = "counter 1") -> Pos:
        r = self.http().post("/v1/devices/enroll",
                             json={"code": self.enrollment_code(merchant), "name": name})
        assert r.status_code == 201, r.text
        body = r.json()
        return Pos(self, body["device_id"], merchant, self.http(body["token"]))

    def code(self, sub: str, program: str = MEALS, key: IssuerKey | None = None,
             **changes: Any) -> str:
        times: dict[str, Any] = {"iat": self.clock.now - DAY, "exp": self.clock.now + 30 * DAY}
        c = claims(sub=sub, prg=program, ent=ENTS[program], **(times | changes))
        return issue_code(key or self.key, c)

    def __repr__(self) -> str:
        return f"World({self.base_url}, {self.server.db_url.split('?')[0]})"

    def close(self) -> None:
        for client in self.clients:
            client.close()
        self.server.stop()


@dataclass
class Pos:
    world: World
    device_id: str
    merchant: str
    client: httpx.Client

    def item(self, code: str, at: int, cart: Sequence[tuple[str, int, int]],
             usage: Iterable[UsageRecord] = (), uuid_: str | None = None) -> dict[str, Any]:
        """A redemption as a POS makes it: verify offline, quote, record the draws."""
        claims_ = verify(code, self.world.trust, at).claims
        lines = [CartLine(cat, amount, qty) for cat, amount, qty in cart]
        q = quote(claims_, at, lines, usage)
        return redemption_item(code, at, lines, q.to_json(), uuid_)

    def push(self, *items: dict[str, Any]) -> list[dict[str, Any]]:
        r = self.client.post("/v1/redemptions", json={"items": list(items)})
        assert r.status_code == 200, r.text
        results: list[dict[str, Any]] = r.json()["results"]
        return results

    def void(self, target: str, at: int) -> dict[str, Any]:
        return {"type": "void", "uuid": str(uuid.uuid4()), "voids": target, "at": at,
                "reason": "clerk error"}

    def pages(self, path: str, after: str | None = None, limit: int = 500
              ) -> tuple[list[dict[str, Any]], str]:
        """Follow a delta feed to its end; (items, cursor)."""
        items: list[dict[str, Any]] = []
        cursor = after
        while True:
            params: dict[str, Any] = {"limit": limit}
            if cursor is not None:
                params["after"] = cursor
            r = self.client.get(path, params=params)
            assert r.status_code == 200, r.text
            page = r.json()
            items += page["items"]
            cursor = page["cursor"]
            if not page["more"]:
                return items, cursor


def redemption_item(code: str, at: int, lines: Sequence[CartLine], q: dict[str, Any],
                    uuid_: str | None = None) -> dict[str, Any]:
    return {
        "type": "redemption", "uuid": uuid_ or str(uuid.uuid4()), "code": code, "at": at,
        "lines": [{"cat": ln.cat, "amount": ln.amount, "qty": ln.qty,
                   "covered": lq["covered"], "draws": lq["draws"], "units": lq["units"]}
                  for ln, lq in zip(lines, q["lines"], strict=True)],
        "covered": q["covered"],
    }


def build_world(db_url: str, clock: Clock) -> World:
    server = EmbeddedServer(db_url, clock=clock)
    base_url = server.start()
    engine = server.engine
    assert engine is not None
    now = clock.now
    key = IssuerKey.generate(-8, ISSUER, now - 400 * DAY, now + 400 * DAY)
    admin.create_key(engine, iss=ISSUER, key=key, now=now)
    for pid, zh, en, cats, ents, days in PROGRAMS:
        admin.create_program(engine, id=pid, name_zh=zh, name_en=en, tz="Asia/Shanghai",
                             iss=ISSUER, cats=cats, entitlements=ents, code_valid_days=days,
                             now=now)
    for mid, (kind, program, allowed) in MERCHANTS.items():
        items = [StandardItem("lunch", MEALS, "meal", 1200, "长者午餐", "Senior lunch")] \
            if program == MEALS else []
        admin.create_merchant(engine, id=mid, name=f"商户 {mid}", kind=kind,
                              program_ids=[program], allowed=allowed, items=items, now=now)
    return World(server, engine, base_url, clock, key)
