"""Closing the counter with redemptions not yet uploaded: say how many, try a last sync.

The first close request is held back while a last sync runs on its own daemon
thread (never the window's task pool, which the window waits for on close);
after ``seconds`` at most the window closes anyway, whatever the network
does. A sync cut short is safe: every redemption keeps its id, so the next
start uploads what is left exactly once.
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QCloseEvent

if TYPE_CHECKING:
    from merchant_pos.ui.counter_window import CounterWindow

LAST_SYNC_SECONDS = 5.0


class FinalSync(QObject):
    counted = Signal(int)  # redemptions (outbox entries) not yet uploaded
    finished = Signal(object)  # the SyncReport, or None when nothing was to upload

    def __init__(self, window: CounterWindow, seconds: float = LAST_SYNC_SECONDS) -> None:
        super().__init__(window)
        self.window = window
        self.seconds = seconds
        self.cancel = threading.Event()
        self.started = False
        self.done = False
        self.pending: int | None = None
        self.counted.connect(self._counted)
        self.finished.connect(lambda _report: self._close())
        self.deadline = QTimer(self)
        self.deadline.setSingleShot(True)
        self.deadline.timeout.connect(self._close)

    def intercept(self, event: QCloseEvent) -> bool:
        """True when the window may close now; else the close waits for the last sync."""
        engine = self.window.services.sync
        if self.done or engine is None:
            return True
        event.ignore()
        if not self.started:
            self.started = True
            self.deadline.start(int(self.seconds * 1000))
            threading.Thread(target=self._work, args=(engine,), name="final-sync",
                             daemon=True).start()
        return False

    def _work(self, engine: Any) -> None:
        try:
            pending = int(engine.status(self.window.services.language).pending_entries)
            self.counted.emit(pending)
            report = engine.sync_now(self.cancel) if pending else None
        except Exception:  # the close goes on; what is left uploads at the next start
            report = None
        # The deadline may have closed (and Qt deleted) the window meanwhile: then there is
        # nobody left to tell, and emitting would raise on this thread.
        with contextlib.suppress(RuntimeError):
            self.finished.emit(report)

    def _counted(self, pending: int) -> None:
        self.pending = pending
        if pending:
            self.window.show_message(self.tr(
                "{0} redemptions are not uploaded yet: trying a last sync (at most {1} "
                "seconds)…").format(pending, int(self.seconds)), "warning")

    def _close(self) -> None:
        if self.done:
            return
        self.done = True
        self.cancel.set()
        self.deadline.stop()
        self.window.close()
