"""Forfeits: what a cart leaves unused of single-use vouchers."""

from __future__ import annotations

from merchant_pos.domain.claims import Claims, Entitlement, Period, Unit
from merchant_pos.domain.forfeit import forfeits
from merchant_pos.domain.quote import CartLine, quote


def _claims() -> Claims:
    return Claims(
        iss="JSS", sub="B1", prg="p", cti=b"\x01" * 8, iat=0, exp=2_000_000_000,
        tz="Asia/Shanghai", nm=None,
        ent=(Entitlement("v1", ("formula",), Unit.FEN, 10000, Period.TOTAL, once=True),
             Entitlement("m", ("meal",), Unit.FEN, 1500, Period.DAY)))


def test_a_69_yuan_item_forfeits_31_of_a_100_yuan_voucher() -> None:
    c = _claims()
    q = quote(c, 1_800_000_000, [CartLine("formula", 6900)])
    [f] = forfeits(c, 1_800_000_000, q)
    assert (f.ent.id, f.drawn, f.lost) == ("v1", 6900, 3100)


def test_a_voucher_used_in_full_or_a_repeating_limit_forfeits_nothing() -> None:
    c = _claims()
    q = quote(c, 1_800_000_000, [CartLine("formula", 12000), CartLine("meal", 900)])
    assert forfeits(c, 1_800_000_000, q) == []
