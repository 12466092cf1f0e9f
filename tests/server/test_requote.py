"""The time-ordered re-quote on its own: verdicts depend on the set of redemptions, not
on the order they are given in; the allocation never opens a voucher that was not used."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from merchant_pos.domain.quote import CartLine
from merchant_pos.server.requote import Entry, judge_history
from tests.support.codes import NOW, claims

BABY = claims(sub="B-REQUOTE")


def voucher_entry(rid: str, at: int, vouchers: int, covered: int | None = None,
                  *, voided: bool = False) -> Entry:
    amount = 5000 * vouchers
    got = amount if covered is None else covered
    return Entry(rid, at, BABY, (CartLine("formula", amount),), (got,),
                 {"v1": (min(got, 5000), 0)}, voided=voided)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(1, 3), st.booleans()),
                min_size=1, max_size=8), st.randoms(use_true_random=False))
def test_verdicts_do_not_depend_on_the_order_given(spec: list[tuple[int, int, bool]],
                                                   rnd: random.Random) -> None:
    entries = [voucher_entry(f"r{i}", NOW + at, k, voided=v) for i, (at, k, v) in enumerate(spec)]
    shuffled = entries[:]
    rnd.shuffle(shuffled)
    assert judge_history(shuffled) == judge_history(entries)
    # Four vouchers: the allocation of the standing ones never opens one twice, and
    # the conflicts are exactly those that came after the vouchers ran out.
    verdicts = judge_history(entries)
    standing = sorted((e for e in entries if not e.voided), key=lambda e: e.order)
    opened = [u.ent for e in standing for u in verdicts[e.rid].allocation]
    assert len(opened) == len(set(opened)) <= 4
    left = 4
    for e in standing:
        need = e.covered // 5000
        assert (verdicts[e.rid].status == "conflict") == (need > left)
        assert verdicts[e.rid].quote_covered == 5000 * min(need, left)
        left = max(0, left - need)


def test_a_counter_that_covered_less_opens_no_more_vouchers_than_it_used() -> None:
    # The counter knew of three vouchers used (since voided) and covered one of a
    # 200-yuan cart: the server's quote could cover all of it, but only one voucher
    # was handed over, so only one is booked; the quote_covered says what was possible.
    (verdict,) = judge_history([voucher_entry("r1", NOW, 4, covered=5000)]).values()
    assert verdict.status == "accepted" and verdict.quote_covered == 20000
    assert [(u.ent, u.amount) for u in verdict.allocation] == [("v1", 5000)]


def test_voided_redemptions_count_for_nobody_and_keep_no_new_verdict() -> None:
    gone = voucher_entry("r1", NOW, 4, voided=True)
    later = voucher_entry("r2", NOW + 1, 4)
    verdicts = judge_history([gone, later])
    assert verdicts["r2"].status == "accepted"
    stored_void = Entry(gone.rid, gone.at, gone.claims, gone.cart, gone.line_covered,
                        gone.counter_draws, voided=True, rejudge=False)
    assert set(judge_history([stored_void, later])) == {"r2"}
