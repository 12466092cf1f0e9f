"""Run blocking work (disk, network) off the UI thread; results return as Qt signals.

Each window owns its own :class:`BackgroundTasks`; nothing here is global.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Relay(QObject):
    """Lives on the UI thread; the worker emits through it, Qt queues the call."""

    done = Signal(object)
    failed = Signal(object)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # handed to the caller's error slot
            self._relay.failed.emit(exc)
        else:
            self._relay.done.emit(result)


class BackgroundTasks(QObject):
    """A small private thread pool. ``run(fn, on_done, on_error)``; slots run on the UI thread."""

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._relays: set[_Relay] = set()

    def run(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
            on_error: Callable[[BaseException], None]) -> None:
        relay = _Relay(self)
        self._relays.add(relay)

        def finished(slot: Callable[[Any], None], value: Any) -> None:
            self._relays.discard(relay)
            relay.deleteLater()
            slot(value)

        relay.done.connect(lambda value: finished(on_done, value))
        relay.failed.connect(lambda exc: finished(on_error, exc))
        self._pool.start(_Task(fn, relay))

    def pending(self) -> int:
        return len(self._relays)

    def wait(self, msecs: int = 10_000) -> bool:
        """Block until the pool is idle (shutdown and tests only, never from a slot)."""
        return self._pool.waitForDone(msecs)
