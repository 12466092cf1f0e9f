"""Runs the engine on a schedule and on demand in one background thread (no Qt).

    scheduler = SyncScheduler(engine, interval_seconds=300, on_report=show)
    scheduler.start()
    scheduler.request_sync()          # "Sync now"
    scheduler.stop(timeout=10)        # at shutdown: the running sync stops at its next
                                      # safe point; nothing is lost

``on_report`` is called from the scheduler thread; a Qt worker forwards it to
the UI thread with a queued signal.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from merchant_pos.sync.engine import SyncEngine
from merchant_pos.sync.report import SyncReport

log = logging.getLogger(__name__)


class SyncScheduler:
    def __init__(self, engine: SyncEngine, *, interval_seconds: float = 300.0,
                 on_report: Callable[[SyncReport], None] | None = None,
                 sync_at_start: bool = True) -> None:
        self.engine = engine
        self.interval_seconds = interval_seconds
        self.on_report = on_report
        self.sync_at_start = sync_at_start
        self.cancel = threading.Event()   # set at shutdown: stops the running sync too
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_report: SyncReport | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        if self.sync_at_start:
            self._wake.set()
        self._thread = threading.Thread(target=self._run, name="mpos-sync", daemon=True)
        self._thread.start()

    def request_sync(self) -> None:
        """Sync as soon as possible (at once if idle; right after the running one if not)."""
        self._wake.set()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> bool:
        """Cancel and join; True if the thread ended within ``timeout``."""
        self.cancel.set()
        self._wake.set()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        stopped = not self._thread.is_alive()
        if stopped:
            self._thread = None
        return stopped

    def _run(self) -> None:
        while not self.cancel.is_set():
            self._wake.wait(self.interval_seconds)
            if self.cancel.is_set():
                return
            self._wake.clear()
            try:
                report = self.engine.sync_now(self.cancel)
            except Exception:  # a bug must not kill the schedule; the ledger is unchanged
                log.exception("sync failed unexpectedly")
                continue
            self.last_report = report
            if self.on_report is not None:
                try:
                    self.on_report(report)
                except Exception:
                    log.exception("on_report failed")
