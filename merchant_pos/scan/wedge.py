"""Keyboard-wedge barcode scanners: telling a scan from typing.

A wedge scanner "types" the code: a burst of characters a few milliseconds
apart, then Enter. People type at 80-250 ms per key and cannot keep every
gap under ~40 ms for a dozen keys. :class:`WedgeDetector` is the Qt-free
rule; ``merchant_pos/ui/scan_wedge.py`` feeds it key events.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Scanners send a key every 1-20 ms (USB HID polls at 1-8 ms); 50 ms leaves
# room for a busy PC while staying far below human typing.
MAX_GAP_MS = 50.0
MIN_LENGTH = 6  # shorter bursts are key chords, auto-repeat or fast typing


@dataclass
class WedgeDetector:
    """Holds back a burst of keys and decides at Enter or at a pause.

    Times are in milliseconds from one monotonic clock. The caller holds
    each printable key (does not deliver it), and delivers the text this
    detector hands back as typing when the burst turns out not to be a scan.
    """

    max_gap_ms: float = MAX_GAP_MS
    min_length: int = MIN_LENGTH
    chars: list[str] = field(default_factory=list)
    last_ms: float | None = None

    @property
    def holding(self) -> bool:
        return bool(self.chars)

    def key(self, char: str, at_ms: float) -> str:
        """Hold ``char``. Returns the earlier held text that is now known to be
        typing (the gap before ``char`` was too long), or ``""``."""
        released = ""
        if self.pause_exceeded(at_ms):
            released = self.take()
        self.chars.append(char)
        self.last_ms = at_ms
        return released

    def enter(self, at_ms: float) -> str | None:
        """Enter pressed: the scanned text if the held keys were a scan
        (long enough, every gap short), else None and the keys stay held
        for the caller to :meth:`take` and deliver as typing."""
        if len(self.chars) >= self.min_length and not self.pause_exceeded(at_ms):
            return self.take()
        return None

    def pause_exceeded(self, now_ms: float) -> bool:
        """True if held keys have waited longer than a scanner's gap."""
        return bool(self.chars) and self.last_ms is not None and (
            now_ms - self.last_ms > self.max_gap_ms)

    def take(self) -> str:
        """The held text; the detector starts afresh."""
        text = "".join(self.chars)
        self.chars.clear()
        self.last_ms = None
        return text
