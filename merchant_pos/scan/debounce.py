"""Debounce: a code held in front of the camera is one scan, not thirty a second."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

DEFAULT_WINDOW_S = 3.0


class Debouncer:
    """Lets a text through once, then holds back the same text until it has
    not been seen for ``window_s`` seconds. A different text passes at once.

    "Seen" counts every sighting, so a phone held up for ten seconds is one
    scan; showing it again after a pause of ``window_s`` is a new one.
    Thread-safe (the camera and the scanner may both feed it).
    """

    def __init__(
        self, window_s: float = DEFAULT_WINDOW_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if window_s < 0:
            raise ValueError("window_s must be >= 0")
        self.window_s = window_s
        self._clock = clock
        self._last_seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def accept(self, text: str) -> bool:
        """Record a sighting of ``text``; True if it is a new scan."""
        now = self._clock()
        with self._lock:
            last = self._last_seen.get(text)
            self._last_seen[text] = now
            if len(self._last_seen) > 64:
                self._prune(now)
            return last is None or now - last > self.window_s

    def reset(self) -> None:
        """Forget everything (e.g. after the clerk cancels a transaction)."""
        with self._lock:
            self._last_seen.clear()

    def _prune(self, now: float) -> None:
        stale = [t for t, seen in self._last_seen.items() if now - seen > self.window_s]
        for t in stale:
            del self._last_seen[t]
