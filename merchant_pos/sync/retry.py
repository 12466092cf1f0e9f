"""Retrying transient failures: exponential backoff, full jitter, Retry-After.

Time is injected: ``wait(seconds) -> bool`` sleeps and returns False when the
sync is cancelled (the default waits on a :class:`threading.Event`), and
``random`` draws the jitter, so tests neither wait nor guess.
"""

from __future__ import annotations

import email.utils
import random as random_module
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from merchant_pos.sync.errors import Cancelled, TransientError

T = TypeVar("T")
Waiter = Callable[[float], bool]


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """A Retry-After header (delta-seconds or HTTP-date) as seconds from now."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


@dataclass
class RetryPolicy:
    """Delays grow ``base * multiplier**attempt`` up to ``max_delay``, full jitter.

    ``max_attempts`` ``None`` retries until cancelled (the engine's default:
    an outbox is never given up on). A server's Retry-After is honoured as a
    floor, capped at ``max_retry_after`` so a bad header cannot stall the POS.
    """

    base_delay: float = 0.5
    multiplier: float = 2.0
    max_delay: float = 60.0
    max_retry_after: float = 900.0
    max_attempts: int | None = None
    random: Callable[[], float] = field(default=random_module.random, repr=False)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        ceiling = min(self.max_delay, self.base_delay * self.multiplier ** min(attempt, 60))
        jittered = ceiling * self.random()
        if retry_after is not None:
            return max(min(retry_after, self.max_retry_after), jittered)
        return jittered


def event_waiter(cancel: threading.Event) -> Waiter:
    """Wait on ``cancel``: returns False as soon as it is set."""
    def wait(seconds: float) -> bool:
        return not cancel.wait(seconds)
    return wait


@dataclass
class RetryLog:
    """What a retry loop went through, for the sync report and tests."""

    attempts: int = 0
    delays: list[float] = field(default_factory=list)
    errors: list[TransientError] = field(default_factory=list)


def call_with_retry(
    operation: Callable[[], T],
    policy: RetryPolicy,
    wait: Waiter,
    *,
    log: RetryLog | None = None,
    on_retry: Callable[[TransientError, float], None] | None = None,
) -> T:
    """Run ``operation`` until it succeeds or fails for good.

    :class:`TransientError` is retried; anything else propagates at once.
    Raises :class:`Cancelled` when ``wait`` reports cancellation, and the last
    TransientError once ``policy.max_attempts`` is used up.
    """
    log = log if log is not None else RetryLog()
    attempt = 0
    while True:
        log.attempts += 1
        try:
            return operation()
        except TransientError as exc:
            log.errors.append(exc)
            if policy.max_attempts is not None and attempt + 1 >= policy.max_attempts:
                raise
            pause = policy.delay(attempt, exc.retry_after)
            log.delays.append(pause)
            if on_retry is not None:
                on_retry(exc, pause)
            if not wait(pause):
                raise Cancelled() from exc
            attempt += 1
