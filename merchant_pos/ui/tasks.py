"""Run blocking work (disk, network) off the UI thread; results return as Qt signals.

Each window owns its own :class:`BackgroundTasks`; nothing here is global.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

Callback = Callable[[Any], None]


class _Relay(QObject):
    """Lives on the UI thread; workers emit through it and Qt queues the call there."""

    done = Signal(int, object)
    failed = Signal(int, object)


class _Task(QRunnable):
    def __init__(self, task_id: int, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._id = task_id
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # handed to the caller's error callback
            self._relay.failed.emit(self._id, exc)
        else:
            self._relay.done.emit(self._id, result)


class BackgroundTasks(QObject):
    """A small private thread pool. ``run(fn, on_done, on_error)``; callbacks run on the
    UI thread, in the order the tasks finish."""

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, tuple[Callback, Callback]] = {}
        self._relay = _Relay(self)
        self._relay.done.connect(self._on_done)
        self._relay.failed.connect(self._on_failed)

    def run(self, fn: Callable[[], Any], on_done: Callback,
            on_error: Callable[[BaseException], None]) -> None:
        task_id = next(self._ids)
        self._callbacks[task_id] = (on_done, on_error)
        self._pool.start(_Task(task_id, fn, self._relay))

    def _on_done(self, task_id: int, result: Any) -> None:
        callbacks = self._callbacks.pop(task_id, None)
        if callbacks is not None:
            callbacks[0](result)

    def _on_failed(self, task_id: int, exc: Any) -> None:
        callbacks = self._callbacks.pop(task_id, None)
        if callbacks is not None:
            callbacks[1](exc)

    def pending(self) -> int:
        return len(self._callbacks)

    def wait(self, msecs: int = 10_000) -> bool:
        """Block until the pool is idle (shutdown and tests only, never from a slot)."""
        return self._pool.waitForDone(msecs)
