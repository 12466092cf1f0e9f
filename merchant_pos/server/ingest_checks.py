"""Checks of pushed items that need no lock: re-verify the code, revocation at the
redemption time, program and category of the merchant, and the draws' arithmetic.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, and_, or_, select

from merchant_pos.domain.claims import DEFAULT_TZ, Claims, Entitlement, Unit, zone
from merchant_pos.domain.errors import CodeRejected, ErrorId, message
from merchant_pos.domain.trust import TrustList
from merchant_pos.domain.verify import CLOCK_SKEW
from merchant_pos.server.api_models import PushLine, RedemptionItem, VoidItem
from merchant_pos.server.schema import (
    categories,
    merchant_categories,
    merchant_programs,
    revocations,
)
from merchant_pos.server.verified_codes import CODES, trust_id

CATEGORY_NOT_ALLOWED = "category_not_allowed"
DRAWS_INVALID = "draws_invalid"
REDEEMED_IN_FUTURE = "redeemed_in_future"
VOID_TARGET_UNKNOWN = "void_target_unknown"
ALREADY_VOIDED = "already_voided"
UUID_REUSED = "uuid_reused"
UUID_TAKEN = "uuid_taken"

REASON_MESSAGES = {
    CATEGORY_NOT_ALLOWED: "This merchant may not redeem that category in this program.",
    DRAWS_INVALID: "The draws do not match the code's entitlements or the cart.",
    REDEEMED_IN_FUTURE: "The redemption time is ahead of the server's clock; check the clock.",
    VOID_TARGET_UNKNOWN: "No redemption of this merchant has that UUID.",
    ALREADY_VOIDED: "That redemption was already voided.",
    UUID_REUSED: "This UUID was already used for different content; nothing was stored.",
    UUID_TAKEN: "This UUID belongs to another device's record; nothing was stored.",
}


def reason_message(reason: str) -> str:
    try:
        return message(ErrorId(reason), "en")
    except ValueError:
        return REASON_MESSAGES.get(reason, reason)


@dataclass(frozen=True)
class MerchantView:
    id: str
    programs: frozenset[str]
    allowed: dict[str, frozenset[str]]


def load_merchant_view(conn: Connection, merchant_id: str) -> MerchantView:
    progs = frozenset(conn.scalars(
        select(merchant_programs.c.program_id).where(merchant_programs.c.merchant_id == merchant_id)
    ))
    allowed: dict[str, set[str]] = defaultdict(set)
    for row in conn.execute(
        select(merchant_categories.c.program_id, merchant_categories.c.category_id)
        .where(merchant_categories.c.merchant_id == merchant_id)
    ):
        allowed[row.program_id].add(row.category_id)
    return MerchantView(merchant_id, progs, {k: frozenset(v) for k, v in allowed.items()})


def program_categories(conn: Connection, program_id: str) -> list[str]:
    return list(conn.scalars(select(categories.c.id).where(categories.c.program_id == program_id)))


@dataclass(frozen=True, slots=True)
class Draw:
    """What the counter says one redemption drew from one entitlement (over its lines)."""

    ent: str
    amount: int
    units: int


@dataclass
class Checked:
    """One pushed item after the lock-free checks."""

    item: RedemptionItem | VoidItem
    content_hash: str
    body: str
    claims: Claims | None = None
    reason: str | None = None
    draws: list[Draw] = field(default_factory=list)
    day: str = ""
    quote_covered: int | None = None

    @property
    def uuid(self) -> str:
        return self.item.uuid

    @property
    def is_void(self) -> bool:
        return isinstance(self.item, VoidItem)

    @property
    def ledger_key(self) -> tuple[str, str] | None:
        if self.claims is None or self.reason is not None:
            return None
        return (self.claims.iss, self.claims.sub)


def content_of(item: RedemptionItem | VoidItem) -> tuple[str, str]:
    # device_seq is transport bookkeeping (issue 11), not content: not in the hash
    body = json.dumps(item.model_dump(mode="json", exclude={"device_seq"}), sort_keys=True,
                      separators=(",", ":"),
                      ensure_ascii=False)
    return body, hashlib.sha256(body.encode()).hexdigest()


def local_day(at: int, tz: str) -> str:
    return datetime.fromtimestamp(at, zone(tz)).date().isoformat()


def check_items(
    conn: Connection, merchant: MerchantView, trust: TrustList,
    items: list[RedemptionItem | VoidItem], now: int,
) -> list[Checked]:
    out = []
    trusted = trust_id(trust)
    for item in items:
        body, digest = content_of(item)
        checked = Checked(item, digest, body, day=local_day(item.at, DEFAULT_TZ))
        if isinstance(item, RedemptionItem):
            _check_code(checked, item, trust, trusted, now)
        out.append(checked)
    _check_revocations(conn, [c for c in out if c.ledger_key is not None])
    for checked in out:
        if isinstance(checked.item, RedemptionItem) and checked.ledger_key is not None:
            _check_merchant_and_draws(checked, checked.item, merchant)
    return out


def _check_code(checked: Checked, item: RedemptionItem, trust: TrustList, trusted: str,
                now: int) -> None:
    if item.at > now + CLOCK_SKEW:
        checked.reason = REDEEMED_IN_FUTURE
        return
    try:
        verified = CODES.verify(item.code, trust, trusted, item.at)
    except CodeRejected as exc:
        checked.reason = exc.error.value
        return
    checked.claims = verified.claims
    checked.day = local_day(item.at, verified.claims.tz)


def _check_revocations(conn: Connection, checked: list[Checked]) -> None:
    """Step 13 at the redemption time: revoked at or before ``at`` → rejected."""
    if not checked:
        return
    ctis = {c.claims.cti.hex() for c in checked if c.claims}
    subs = {c.claims.sub for c in checked if c.claims}
    revoked: dict[tuple[str, str], int] = {}
    for chunk_c, chunk_s in _chunks(sorted(ctis), sorted(subs)):
        rows = conn.execute(
            select(revocations.c.kind, revocations.c.value, revocations.c.revoked_at).where(or_(
                and_(revocations.c.kind == "cti", revocations.c.value.in_(chunk_c)),
                and_(revocations.c.kind == "sub", revocations.c.value.in_(chunk_s)),
            ))
        )
        for row in rows:
            revoked[(row.kind, row.value)] = row.revoked_at
    for c in checked:
        assert c.claims is not None
        when = [t for t in (revoked.get(("cti", c.claims.cti.hex())),
                            revoked.get(("sub", c.claims.sub))) if t is not None]
        if when and min(when) <= c.item.at:
            c.reason = ErrorId.REVOKED.value


def _chunks(a: list[str], b: list[str], size: int = 400) -> list[tuple[list[str], list[str]]]:
    n = max(len(a), len(b), 1)
    return [(a[i:i + size], b[i:i + size]) for i in range(0, n, size)]


def _check_merchant_and_draws(checked: Checked, item: RedemptionItem,
                              merchant: MerchantView) -> None:
    claims = checked.claims
    assert claims is not None
    if claims.prg not in merchant.programs:
        checked.reason = ErrorId.WRONG_PROGRAM.value
        return
    allowed = merchant.allowed.get(claims.prg, frozenset())
    if any(line.covered > 0 and line.cat not in allowed for line in item.lines):
        checked.reason = CATEGORY_NOT_ALLOWED
        return
    sums = _validated_draws(claims, item)
    if sums is None:
        checked.reason = DRAWS_INVALID
        return
    checked.draws = [Draw(ent_id, fen, units) for ent_id, (fen, units) in sorted(sums.items())]


def _validated_draws(claims: Claims, item: RedemptionItem) -> dict[str, tuple[int, int]] | None:
    """Entitlement → (fen, units) summed over the lines, or None when inconsistent."""
    ents = {e.id: e for e in claims.ent}
    sums: dict[str, tuple[int, int]] = {}
    for line in item.lines:
        if not _line_ok(line, ents, item.at):
            return None
        for ent_id, fen in line.draws.items():
            old_fen, old_units = sums.get(ent_id, (0, 0))
            sums[ent_id] = (old_fen + fen, old_units + line.units.get(ent_id, 0))
    if sum(line.covered for line in item.lines) != item.covered:
        return None
    return sums


def _line_ok(line: PushLine, ents: dict[str, Entitlement], at: int) -> bool:
    if sum(line.draws.values()) != line.covered or line.covered > line.amount:
        return False
    if not set(line.units) <= set(line.draws):
        return False
    units_taken = 0
    for ent_id, fen in line.draws.items():
        ent = ents.get(ent_id)
        if ent is None or not ent.is_active(at) or line.cat not in ent.cat:
            return False
        if ent.unit is Unit.COUNT:
            units = line.units.get(ent_id)
            if units is None or ent.val is None or fen > units * ent.val:
                return False
            units_taken += units
        elif ent_id in line.units:
            return False
    return units_taken <= line.qty
