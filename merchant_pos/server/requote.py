"""Fair judging: re-run the spec's quote over a beneficiary's redemptions in time order.

A counter that was offline picks its vouchers knowing only its own history
(every offline counter starts at v1), so *which* entitlement it drew says
nothing about a double spend. What matters is whether the beneficiary had
enough: the server orders the redemptions by (redemption time, UUID) and
quotes each one's cart with the spec's quote (``domain.quote``, unchanged)
on the server's own allocation of everything before it. A redemption is a
``conflict`` only when that quote covers less than the counter covered.

The quote's draws become the server's allocation of the redemption (what its
usage records say), so a later redemption is quoted on what earlier ones
really used. When the quote could cover more than the counter did (it knew
of usage that is gone now, e.g. voided), the allocation is the quote of the
cart cut to what the counter covered, so no voucher is opened that the
beneficiary did not use. A conflicting redemption keeps the draws the quote
still found: the goods were handed over.

Voided redemptions keep the verdict they had and count for nobody. The
function is pure: callers load the history and store what changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from merchant_pos.domain.claims import Claims, Unit, parse_claims
from merchant_pos.domain.cose import loads_cbor, parse_cose_sign1, unwrap_text
from merchant_pos.domain.periods import period_bounds
from merchant_pos.domain.quote import CartLine, Quote, UsageRecord, quote, remaining_at

MAX_EARLIER_LISTED = 10


@lru_cache(maxsize=4096)
def stored_claims(code: str) -> Claims:
    """The claims of a code the server verified at ingest (no second signature check:
    a key withdrawn later must not change the verdict of an old redemption)."""
    return parse_claims(loads_cbor(parse_cose_sign1(unwrap_text(code)).payload))


@dataclass(frozen=True, slots=True)
class Entry:
    """One valid redemption of a beneficiary, as the counter recorded it."""

    rid: str
    at: int
    claims: Claims
    cart: tuple[CartLine, ...]
    line_covered: tuple[int, ...]  # the counter's covered fen per line
    counter_draws: dict[str, tuple[int, int]]  # entitlement → (fen, units), the counter's
    voided: bool = False
    rejudge: bool = True  # False: a stored voided redemption (keeps its verdict)

    @property
    def covered(self) -> int:
        return sum(self.line_covered)

    @property
    def order(self) -> tuple[int, str]:
        return (self.at, self.rid)


@dataclass(frozen=True, slots=True)
class Verdict:
    status: str  # "accepted" or "conflict"
    conflict: dict[str, Any] | None
    quote_covered: int
    allocation: tuple[UsageRecord, ...]  # the server's draws for this redemption


def judge_history(entries: Iterable[Entry], before: Sequence[UsageRecord] = ()
                  ) -> dict[str, Verdict]:
    """Verdicts of ``entries`` (any order) quoted in (time, UUID) order after ``before``,
    the counted allocation of the beneficiary's redemptions earlier than all of them.

    Entries with ``rejudge=False`` get no verdict and count for nobody (voided).
    """
    usage: list[UsageRecord] = list(before)
    out: dict[str, Verdict] = {}
    for e in sorted(entries, key=lambda x: x.order):
        if not e.rejudge:
            continue
        verdict = _judge(e, usage)
        out[e.rid] = verdict
        if not e.voided:
            usage.extend(verdict.allocation)
    return out


def _judge(e: Entry, usage: list[UsageRecord]) -> Verdict:
    q = quote(e.claims, e.at, e.cart, usage)
    if q.covered < e.covered:
        conflict = {"exceeded": _exceeded(e, usage), "covered": e.covered,
                    "quote_covered": q.covered}
        return Verdict("conflict", conflict, q.covered, _allocation(e, q))
    if q.covered > e.covered:
        cut = [CartLine(line.cat, min(line.amount, covered), line.qty)
               for line, covered in zip(e.cart, e.line_covered, strict=True) if covered > 0]
        return Verdict("accepted", None, q.covered,
                       _allocation(e, quote(e.claims, e.at, cut, usage)))
    return Verdict("accepted", None, q.covered, _allocation(e, q))


def _allocation(e: Entry, q: Quote) -> tuple[UsageRecord, ...]:
    return tuple(UsageRecord(ent, fen, units, e.at, e.rid)
                 for ent, (fen, units) in sorted(q.draws_by_entitlement().items()))


def _exceeded(e: Entry, usage: list[UsageRecord]) -> list[dict[str, Any]]:
    """The counter's draws that the beneficiary no longer had, in the shape the
    counter's message expects (limit, used before in the period, drawn)."""
    remaining = remaining_at(e.claims, e.at, usage)
    ents = {x.id: x for x in e.claims.ent}
    out = []
    for ent_id, (fen, units) in sorted(e.counter_draws.items()):
        ent = ents.get(ent_id)
        if ent is None:
            continue
        count = ent.unit is Unit.COUNT
        drawn = units if count else fen
        if drawn <= remaining.get(ent_id, 0):
            continue
        bounds = period_bounds(ent.per, e.at, e.claims.zone)
        lo, hi = bounds if bounds else (None, None)
        earlier = [u for u in usage if u.ent == ent_id
                   and (lo is None or lo <= u.at) and (hi is None or u.at < hi)]
        out.append({
            "ent": ent_id, "unit": ent.unit.value, "lim": ent.lim, "per": ent.per.value,
            "once": ent.once,
            "used_before": sum(u.units if count else u.amount for u in earlier),
            "drawn": drawn, "period_start": lo, "period_end": hi,
            "earlier": [u.rid for u in earlier[-MAX_EARLIER_LISTED:]],
        })
    return out
