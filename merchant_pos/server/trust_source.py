"""The trust list the server hands out: its issuer keys' public halves, minus withdrawn ones."""

from __future__ import annotations

from sqlalchemy import Connection, select

from merchant_pos.domain.trust import TrustedKey, TrustList
from merchant_pos.server.schema import issuer_keys


def trusted_keys(conn: Connection) -> list[TrustedKey]:
    k = issuer_keys.c
    rows = conn.execute(
        select(k.kid, k.alg, k.iss, k.public_key, k.not_before, k.not_after)
        .where(k.withdrawn_at.is_(None)).order_by(k.created_at, k.kid)
    )
    return [
        TrustedKey.from_raw(alg=row.alg, raw_key=row.public_key, iss=row.iss,
                            not_before=row.not_before, not_after=row.not_after,
                            kid=bytes.fromhex(row.kid))
        for row in rows
    ]


def load_trust_list(conn: Connection) -> TrustList:
    return TrustList(trusted_keys(conn))
