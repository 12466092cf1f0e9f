"""What a quote leaves unused of single-use vouchers (information for the clerk).

A single-use ("once") entitlement is spent by its first draw, whatever the
amount: a 69-yuan item paid from a 100-yuan voucher forfeits the other 31.
The allocation itself is the spec's (:mod:`.quote`); this only reports it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from merchant_pos.domain.claims import Claims, Entitlement, Unit
from merchant_pos.domain.quote import Quote, UsageRecord, remaining_at


@dataclass(frozen=True, slots=True)
class Forfeit:
    """``lost`` fen of the single-use voucher ``ent`` stay unused after this cart."""

    ent: Entitlement
    drawn: int
    lost: int


def forfeits(claims: Claims, now: int, quote: Quote,
             usage: Iterable[UsageRecord] = ()) -> list[Forfeit]:
    """Single-use money vouchers this quote opens but does not use up, in entitlement order."""
    before = remaining_at(claims, now, usage)
    drawn = quote.draws_by_entitlement()
    out = []
    for ent in claims.ent:
        if not ent.once or ent.unit is not Unit.FEN or ent.id not in drawn:
            continue
        fen = drawn[ent.id][0]
        left = before.get(ent.id, 0)
        if 0 < fen < left:
            out.append(Forfeit(ent, fen, left - fen))
    return out
