"""Reconciliation after a sync: the counter compares its business day with the server's
list for this device (today's, and yesterday's, where late verdicts land) once a sync
has gone through, so the records screen and the 日结 say "reconciled" or name the
differences without anyone running ``merchant-pos report --reconcile``.

Not after every timer sync: only when the sync delivered something or the last check
is older than ``min_interval`` seconds (a paged GET per day, kept rare).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from merchant_pos.reports.reconcile import DayReconciliation, FetchDay, reconcile_day
from merchant_pos.store.ledger import Ledger
from merchant_pos.sync.report import SyncReport


class AfterSyncReconciler:
    def __init__(self, ledger: Ledger, fetch: FetchDay, time_zone: str, *,
                 clock: Callable[[], float] = time.time, min_interval: float = 300.0) -> None:
        self.ledger = ledger
        self.fetch = fetch
        self.zone = ZoneInfo(time_zone)
        self.clock = clock
        self.min_interval = min_interval
        self.last: float | None = None  # when the last comparison ran

    def due(self, report: SyncReport) -> bool:
        if not report.completed:  # the server answered (stuck entries do not stop it)
            return False
        delivered = report.pushed or report.conflicts or report.rejected
        return bool(delivered) or self.last is None or \
            self.clock() - self.last >= self.min_interval

    def days(self) -> list[date]:
        today = datetime.fromtimestamp(self.clock(), self.zone).date()
        return [today - timedelta(days=1), today]

    def run(self) -> list[DayReconciliation]:
        """Compare each day (call it off the UI thread); raises the fetcher's errors."""
        self.last = self.clock()
        now = int(self.clock())
        return [reconcile_day(self.ledger, day, self.fetch, now=now) for day in self.days()]
