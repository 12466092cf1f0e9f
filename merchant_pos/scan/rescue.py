"""A time budget for the decoder's rescue passes, so they cannot raise the mean.

The rescue (a sharpened, then enlarged, crop around a QR symbol zxing located
but could not read) costs 1-30 ms on the frames that need it and nothing on
the others. :class:`RescueBudget` is a token bucket in milliseconds: every
frame's primary read earns ``share`` of its own time; a rescue pass runs only
while the balance covers what a pass of its kind has been costing, and its
real time is then spent. Over any run the rescue adds at most ``share`` of
the primary reads' time plus ``burst_ms`` (the bucket's size) plus one
pass's misestimate, so the mean per frame stays within ``1 + share`` of the
plain decode however many frames call for a rescue; bursts (a phone held
up, blurred for a few frames) are paid for by the idle frames around them.
"""

from __future__ import annotations

DEFAULT_SHARE = 0.15
DEFAULT_BURST_MS = 60.0


class RescueBudget:
    """Milliseconds the rescue passes may still spend (see the module text)."""

    def __init__(self, share: float = DEFAULT_SHARE, burst_ms: float = DEFAULT_BURST_MS) -> None:
        if share < 0 or burst_ms < 0:
            raise ValueError("the rescue budget cannot be negative")
        self.share = share
        self.burst_ms = burst_ms
        self.balance_ms = burst_ms
        self.spent_ms = 0.0
        self.earned_ms = 0.0
        self.skipped = 0  # passes not run for want of budget
        self._estimate_ms: dict[int, float] = {}

    def earn(self, primary_ms: float) -> None:
        """Credit a frame's primary read."""
        credit = self.share * primary_ms
        self.earned_ms += credit
        self.balance_ms = min(self.burst_ms, self.balance_ms + credit)

    def allows(self, kind: int) -> bool:
        """Whether a pass of ``kind`` (0: sharpened crop, 1: enlarged) may run now."""
        if self.balance_ms > 0 and self.balance_ms >= self._estimate_ms.get(kind, 0.0):
            return True
        self.skipped += 1
        return False

    def spend(self, kind: int, ms: float) -> None:
        """Debit a pass that ran, and learn what passes of its kind cost."""
        self.spent_ms += ms
        self.balance_ms -= ms
        old = self._estimate_ms.get(kind)
        self._estimate_ms[kind] = ms if old is None else 0.7 * old + 0.3 * ms
