"""What the counter keeps of a code once the server has it: a receipt snapshot and a digest.

A code text is a bearer credential until it expires. A redemption keeps it
only while the server still needs it (its outbox entry unanswered); once the
server has answered, :func:`forget_answered` drops the text (and the entry's
payload, which holds it too). What stays is enough for everything after:

- ``code_sha256``: the same-id retry check compares digests, not texts;
- ``receipt_snapshot``: the claims without the signature (masked name, program,
  expiry, entitlements) and what remained after this redemption, for reprints.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from merchant_pos.domain.claims import (
    DEFAULT_TZ,
    Claims,
    Entitlement,
    parse_claims,
    parse_entitlement,
)
from merchant_pos.domain.cose import loads_cbor, parse_cose_sign1, unwrap_text
from merchant_pos.domain.quote import Quote, UsageRecord, remaining_at


def code_digest(code_text: str) -> str:
    return hashlib.sha256(code_text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ReceiptSnapshot:
    """The code's claims as a receipt needs them, and the balances left after it."""

    iss: str
    sub: str
    prg: str
    exp: int
    masked_name: str | None
    entitlements: tuple[Entitlement, ...]
    remaining: Mapping[str, int]  # entitlement id -> fen or units left after this redemption
    tz: str = DEFAULT_TZ

    def to_json(self) -> str:
        return json.dumps({
            "iss": self.iss, "sub": self.sub, "prg": self.prg, "exp": self.exp,
            "nm": self.masked_name, "ent": [e.to_json() for e in self.entitlements],
            "remaining": dict(self.remaining), "tz": self.tz}, ensure_ascii=False,
            sort_keys=True, separators=(",", ":"))

    def claims(self) -> Claims:
        """The claims as a receipt reads them (no ``cti``/``iat``: nothing to present)."""
        return Claims(self.iss, self.sub, self.exp, 0, b"", self.prg, self.masked_name,
                      self.tz, self.entitlements)

    @classmethod
    def from_json(cls, text: str | None) -> ReceiptSnapshot | None:
        if not text:
            return None
        try:
            raw = json.loads(text)
            return cls(str(raw["iss"]), str(raw["sub"]), str(raw["prg"]), int(raw["exp"]),
                       raw.get("nm"), tuple(parse_entitlement(e) for e in raw["ent"]),
                       {str(k): int(v) for k, v in raw["remaining"].items()},
                       str(raw.get("tz") or DEFAULT_TZ))
        except Exception:  # a damaged snapshot must never break a reprint
            return None


def snapshot_of(claims: Claims, remaining: Mapping[str, int]) -> ReceiptSnapshot:
    return ReceiptSnapshot(claims.iss, claims.sub, claims.prg, claims.exp, claims.nm,
                           claims.ent, dict(remaining), claims.tz)


def snapshot_after(claims: Claims, now: int, usage: Sequence[UsageRecord], q: Quote,
                   redemption_id: str) -> ReceiptSnapshot:
    """The snapshot of a redemption being recorded: balances counting its own draws."""
    mine = [UsageRecord(ent, fen, units, now, redemption_id)
            for ent, (fen, units) in q.draws_by_entitlement().items()]
    return snapshot_of(claims, remaining_at(claims, now, [*usage, *mine]))


def stored_claims(code_text: str) -> Claims | None:
    """The claims inside a code this ledger already verified and recorded (no
    verification here: the row was written only after the code passed)."""
    try:
        cose = parse_cose_sign1(unwrap_text(code_text))
        return parse_claims(loads_cbor(cose.payload))
    except Exception:  # a stored code always parses; a reprint must never fail on it
        return None


_ANSWERED = ("SELECT redemption_id FROM outbox WHERE kind = 'redemption'"
             " AND status != 'pending'")


def forget_answered(db: sqlite3.Connection, entry_ids: Iterable[str] | None = None) -> int:
    """Inside the caller's write transaction: answered entries lose their payload, and
    redemptions whose entry was answered lose their code text (both become ""). ``entry_ids``: only
    these entries (just answered); ``None``: all of them (migration). Returns the
    number of code texts dropped."""
    if entry_ids is None:
        dropped = db.execute("UPDATE redemptions SET code_text = '' WHERE code_text != ''"
                             f" AND id IN ({_ANSWERED})").rowcount
        db.execute("UPDATE outbox SET payload = '' WHERE payload != '' AND status != 'pending'")
        return int(dropped)
    ids = [(i,) for i in entry_ids]
    db.executemany("UPDATE outbox SET payload = '' WHERE entry_id = ? AND status != 'pending'",
                   ids)
    return int(db.executemany(
        "UPDATE redemptions SET code_text = '' WHERE code_text != '' AND id = (SELECT"
        " redemption_id FROM outbox WHERE entry_id = ? AND kind = 'redemption'"
        " AND status != 'pending')", ids).rowcount)


def receipt_fields(snapshot_text: str | None, code_text: str | None
                   ) -> tuple[ReceiptSnapshot | None, str | None]:
    """(snapshot, masked name) for a stored row: the snapshot, else the code's claims."""
    snap = ReceiptSnapshot.from_json(snapshot_text)
    if snap is not None:
        return snap, snap.masked_name
    claims = stored_claims(code_text) if code_text else None
    return None, (claims.nm if claims is not None else None)


def migrated_snapshot(code_text: str, at: int, draws: Sequence[Mapping[str, Any]]
                      ) -> tuple[str, str | None]:
    """(digest, snapshot JSON or None) for a row recorded before snapshots existed;
    ``draws``: this beneficiary's own non-voided draws up to and including it."""
    claims = stored_claims(code_text)
    if claims is None:
        return code_digest(code_text), None
    usage = [UsageRecord(str(d["ent"]), int(d["amount"]), int(d["units"]), int(d["at"]),
                         str(d["rid"])) for d in draws]
    return code_digest(code_text), snapshot_of(claims, remaining_at(claims, at, usage)).to_json()
