"""The corrected clock: local time plus the offset measured against the server.

At each sync the server's time, taken half-way through the round trip, gives
the offset. Verification and redemption times use :meth:`CorrectedClock.now`;
an offset above five minutes is shown to the clerk as a warning.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from merchant_pos.sync import messages

SKEW_WARNING_SECONDS = 300


@dataclass(frozen=True)
class ClockReading:
    offset: float          # server minus local, seconds
    round_trip: float      # seconds the measuring request took
    measured_at: float     # local time of the measurement


class CorrectedClock:
    """Thread-safe; ``local`` is injectable for tests."""

    def __init__(self, local: Callable[[], float] = time.time, offset: float = 0.0) -> None:
        self._local = local
        self._offset = offset
        self._reading: ClockReading | None = None
        self._lock = threading.Lock()

    def local_time(self) -> float:
        return self._local()

    @property
    def offset(self) -> float:
        with self._lock:
            return self._offset

    @property
    def last_reading(self) -> ClockReading | None:
        with self._lock:
            return self._reading

    def observe(self, server_time: float, sent_at: float, received_at: float) -> ClockReading:
        """Record the server's ``server_time`` seen between ``sent_at`` and ``received_at``."""
        round_trip = max(0.0, received_at - sent_at)
        midpoint = sent_at + round_trip / 2
        reading = ClockReading(server_time - midpoint, round_trip, received_at)
        with self._lock:
            self._offset = reading.offset
            self._reading = reading
        return reading

    def restore(self, offset: float) -> None:
        """Start from an offset measured in an earlier run (until the next reading)."""
        with self._lock:
            if self._reading is None:
                self._offset = offset

    def now(self) -> int:
        """Corrected UTC epoch seconds."""
        return int(self._local() + self.offset)

    def skew_warning(self, language: str = "zh_CN") -> str | None:
        """The clerk's warning when this computer is more than 5 minutes off."""
        offset = self.offset
        if abs(offset) <= SKEW_WARNING_SECONDS:
            return None
        return messages.text("clock_skew", language, minutes=round(abs(offset) / 60))
