"""The server's cache of verified codes answers as ``verify`` would: the time is checked
on every hit, and another trust list (a key withdrawn or added) is another cache entry."""

from __future__ import annotations

import pytest

from merchant_pos.domain.errors import CodeRejected, ErrorId
from merchant_pos.domain.trust import TrustList
from merchant_pos.server.verified_codes import VerifiedCodes, trust_id
from tests.support.codes import DAY, NOW, claims, issuer_key, make_code, trust_for


def test_a_hit_skips_the_signature_but_not_the_time() -> None:
    key = issuer_key()
    code = make_code(key, claims(exp=NOW + DAY))
    trust = trust_for(key)
    cache = VerifiedCodes()
    first = cache.verify(code, trust, trust_id(trust), NOW)
    again = cache.verify(code, trust, trust_id(trust), NOW + 60)
    assert again is first and (cache.hits, cache.misses) == (1, 1)
    with pytest.raises(CodeRejected) as exc:
        cache.verify(code, trust, trust_id(trust), NOW + 2 * DAY)
    assert exc.value.error is ErrorId.EXPIRED


def test_another_trust_list_verifies_again() -> None:
    key = issuer_key()
    code = make_code(key)
    trust = trust_for(key)
    cache = VerifiedCodes()
    cache.verify(code, trust, trust_id(trust), NOW)
    withdrawn = TrustList()
    assert trust_id(withdrawn) != trust_id(trust)
    with pytest.raises(CodeRejected) as exc:
        cache.verify(code, withdrawn, trust_id(withdrawn), NOW)
    assert exc.value.error is ErrorId.UNKNOWN_KEY


def test_rejections_are_not_kept_and_the_size_is_bounded() -> None:
    key, other = issuer_key(), issuer_key()
    trust = trust_for(key)
    cache = VerifiedCodes(size=2)
    for _ in range(2):
        with pytest.raises(CodeRejected):
            cache.verify(make_code(other), trust, trust_id(trust), NOW)
    assert cache.misses == 0
    codes = [make_code(key, claims(sub=f"B-{n}")) for n in range(3)]
    for code in codes:
        cache.verify(code, trust, trust_id(trust), NOW)
    cache.verify(codes[0], trust, trust_id(trust), NOW)  # the oldest was dropped
    assert (cache.hits, cache.misses) == (0, 4)
