"""Offline verification with a small cache, so confirming a just-quoted code is cheap.

The clerk's flow is quote → confirm → redeem on the same code seconds apart;
checking the signature again costs ~0.15 ms of the redeem. This wraps
:func:`merchant_pos.domain.verify` without changing it: a code that passed is
remembered with the reference-data version (trust list, revocations,
programs) it passed under. On a hit, only the steps that depend on ``now``
are re-run (``domain.verify.check_time``); every other step
is a pure function of the text and that version. Any change of reference
data bumps the version and so misses the cache.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection
from threading import Lock

from merchant_pos.domain.errors import CodeRejected, ErrorId
from merchant_pos.domain.trust import RevocationList, TrustList
from merchant_pos.domain.verify import VerifiedCode, check_time, verify


class CachedVerifier:
    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._cache: OrderedDict[tuple[str, int], VerifiedCode] = OrderedDict()
        self._lock = Lock()

    def verify(self, text: str, trust: TrustList, now: int, *, revoked: RevocationList,
               programs: Collection[str], version: int) -> VerifiedCode:
        if not isinstance(text, str):  # a caller's bug or a hostile input: a rejection
            raise CodeRejected(ErrorId.MALFORMED, f"the code is {type(text).__name__}, not text")
        key = (text, version)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
        if hit is None:
            code = verify(text, trust, now, revoked=revoked, programs=programs)
            with self._lock:
                self._cache[key] = code
                while len(self._cache) > self.size:
                    self._cache.popitem(last=False)
            return code
        check_time(hit.claims, now)
        return hit
