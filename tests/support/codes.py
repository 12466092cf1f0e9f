"""Making real signed BC1 codes for tests (the same issuing code the server uses)."""

from __future__ import annotations

import os
from dataclasses import replace

from merchant_pos.domain.claims import Claims, Entitlement, Period, Unit
from merchant_pos.domain.cose import ALG_EDDSA
from merchant_pos.domain.issuing import IssuerKey, issue_code
from merchant_pos.domain.trust import TrustList

NOW = 1_770_692_400  # 2026-02-10 11:00 Asia/Shanghai, as in the vectors
DAY = 86_400

BABY_VOUCHERS = tuple(
    Entitlement(f"v{i}", ("formula", "diaper", "clothing"), Unit.FEN, 5000, Period.TOTAL, once=True)
    for i in range(1, 5)
)
ELDER_MEAL = (
    Entitlement("meal", ("meal",), Unit.COUNT, 1, Period.DAY, val=1000),
    Entitlement("fruit", ("meal", "fruit"), Unit.FEN, 2000, Period.WEEK),
)
CLINIC = (Entitlement("checkup", ("checkup",), Unit.COUNT, 2, Period.YEAR, val=3000),)


def issuer_key(alg: int = ALG_EDDSA, iss: str = "demo-foundation") -> IssuerKey:
    return IssuerKey.generate(alg, iss, NOW - 400 * DAY, NOW + 400 * DAY)


def claims(
    sub: str = "B-TEST-0001",
    prg: str = "jss-baby-2023",
    ent: tuple[Entitlement, ...] = BABY_VOUCHERS,
    **changes: object,
) -> Claims:
    base = Claims(
        iss="demo-foundation", sub=sub, exp=NOW + 30 * DAY, iat=NOW - DAY,
        cti=os.urandom(12), prg=prg, nm="马*花", tz="Asia/Shanghai", ent=ent,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def make_code(key: IssuerKey, c: Claims | None = None) -> str:
    return issue_code(key, c or claims())


def trust_for(*keys: IssuerKey) -> TrustList:
    return TrustList(k.trusted_key() for k in keys)
