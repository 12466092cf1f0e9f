"""After each sync the counter reconciles its business day with the server's list
(:class:`merchant_pos.reports.after_sync.AfterSyncReconciler`), off the UI thread; the
records screen and the 日结 then say "reconciled" or list every difference.

One call in the app's wiring: ``attach_reconciler(window)``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from merchant_pos.reports.after_sync import AfterSyncReconciler
from merchant_pos.reports.reconcile import server_fetcher
from merchant_pos.ui.tasks import BackgroundTasks

if TYPE_CHECKING:
    from merchant_pos.ui.counter_window import CounterWindow

log = logging.getLogger(__name__)


class DayReconcile(QObject):
    reconciled = Signal(list)  # DayReconciliation per day, once compared
    failed = Signal(object)    # the error (the status bar already says when sync fails)

    def __init__(self, reconciler: AfterSyncReconciler, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.reconciler = reconciler
        self.tasks = BackgroundTasks(self, max_threads=1)
        self.running = False

    def after_sync(self, report: Any) -> None:
        if self.running or not self.reconciler.due(report):
            return
        self.running = True
        self.tasks.run(self.reconciler.run, self._done, self._failed)

    def _done(self, results: list[Any]) -> None:
        self.running = False
        self.reconciled.emit(results)

    def _failed(self, exc: BaseException) -> None:
        self.running = False
        log.warning("reconciliation after sync: %s", exc)
        self.failed.emit(exc)


def attach_reconciler(window: CounterWindow, *,
                      reconciler: AfterSyncReconciler | None = None) -> DayReconcile | None:
    services = window.services
    sync = services.sync
    if reconciler is None:
        if sync is None:
            return None  # a counter without a server: nothing to compare with
        ledger = services.redemptions.ledger
        reconciler = AfterSyncReconciler(ledger, server_fetcher(ledger, sync.tokens),
                                         services.profile.time_zone)
    hook = DayReconcile(reconciler, window)
    window.status.synced.connect(hook.after_sync)
    services.extras["day_reconcile"] = hook
    return hook
