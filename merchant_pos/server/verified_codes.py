"""Codes this server process has verified, so a beneficiary's fifth meal of the
week does not check the same signature a fifth time.

Keyed by the code's exact text and the content of the trust list it was
verified against (a key added, retired or withdrawn is another list, so
another key). Only success is kept; a hit re-runs the one check that depends
on the time (``domain.verify.check_time``), so the answer is the one
``verify`` would give. Revocations are checked by the caller on every push.
Each worker process has its own; nothing here is shared between processes.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict

from merchant_pos.domain.trust import TrustList
from merchant_pos.domain.verify import VerifiedCode, check_time, verify

MAX_CODES = 20_000


class VerifiedCodes:
    def __init__(self, size: int = MAX_CODES) -> None:
        self._size = size
        self._codes: OrderedDict[tuple[str, str], VerifiedCode] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def verify(self, text: str, trust: TrustList, trust_id: str, at: int) -> VerifiedCode:
        """``verify(text, trust, at)``; raises ``CodeRejected`` as it does."""
        key = (trust_id, text)
        with self._lock:
            hit = self._codes.get(key)
            if hit is not None:
                self._codes.move_to_end(key)
                self.hits += 1
        if hit is not None:
            check_time(hit.claims, at)
            return hit
        verified = verify(text, trust, at)
        with self._lock:
            self.misses += 1
            self._codes[key] = verified
            while len(self._codes) > self._size:
                self._codes.popitem(last=False)
        return verified


def trust_id(trust: TrustList) -> str:
    """The content of a trust list, as a short digest."""
    raw = json.dumps(trust.to_json(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


CODES = VerifiedCodes()
