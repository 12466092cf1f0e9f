"""The bottom bar: who is signed in, whether the outbox has reached the server."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QStatusBar, QWidget

from merchant_pos.domain.money import format_fen
from merchant_pos.store import OperatorSession
from merchant_pos.ui.tasks import BackgroundTasks

if TYPE_CHECKING:
    from merchant_pos.ui.counter_window import CounterServices

SYNC_EVERY_MS = 60_000


class SyncStatusBar(QStatusBar):
    """Operator, sync state, unsynced count, conflicts; "Sync now"; a sync every minute."""

    synced = Signal(object)  # the SyncReport of each sync that ran (issue 12 reconciles)

    def __init__(self, services: CounterServices, session: OperatorSession,
                 tasks: BackgroundTasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.tasks = tasks
        self.cancel = threading.Event()
        self.operator = QLabel(self.tr("Operator: {0}").format(session.operator.name))
        self.state = QLabel()
        self.state.setObjectName("syncState")
        self.warning = QLabel()
        self.warning.setObjectName("syncWarning")
        self.sync_button = QPushButton(self.tr("Sync now"))
        self.sync_button.clicked.connect(self.sync_now)
        # Entries the server will not take: loud, one click from their reasons.
        self.stuck_button = QPushButton()
        self.stuck_button.setObjectName("stuckEntries")
        self.stuck_button.setStyleSheet("QPushButton { color: white; background: #c62828; "
                                        "font-weight: bold; padding: 2px 10px; }")
        self.stuck_button.setVisible(False)
        self.stuck_button.clicked.connect(self.show_stuck)
        self.addWidget(self.operator)
        self.addWidget(self.state, 1)
        self.addWidget(self.stuck_button)
        self.addWidget(self.warning, 2)
        self.addPermanentWidget(self.sync_button)
        self.timer = QTimer(self)
        self.timer.setInterval(SYNC_EVERY_MS)
        self.timer.timeout.connect(self.sync_now)
        self.last_status: Any = None
        if services.sync is None:
            self.sync_button.setEnabled(False)
            self.state.setText(self.tr("Offline: this counter is not connected to a server"))
        else:
            self.timer.start()

    def sync_now(self) -> None:
        engine = self.services.sync
        if engine is None or engine.running or self.cancel.is_set():
            return
        self.sync_button.setEnabled(False)
        self.state.setText(self.tr("Syncing…"))
        cancel = self.cancel
        self.tasks.run(lambda: engine.sync_now(cancel), self._synced, self._sync_failed)

    def _synced(self, report: Any) -> None:
        self.sync_button.setEnabled(True)
        self.refresh()
        self.synced.emit(report)

    def _sync_failed(self, exc: BaseException) -> None:
        self.sync_button.setEnabled(True)
        self.warning.setText(self.tr("Sync failed: {0}").format(exc))

    def refresh(self) -> None:
        """Re-read the sync status off the UI thread (it reads the ledger)."""
        engine = self.services.sync
        if engine is None:
            return
        lang = self.services.language
        self.tasks.run(lambda: engine.status(lang), self.show_status,
                       lambda exc: self.warning.setText(str(exc)))

    def show_status(self, status: Any) -> None:
        self.last_status = status
        if status.last_success_at:
            zone = ZoneInfo(self.services.profile.time_zone)
            when = datetime.fromtimestamp(status.last_success_at, zone).strftime("%H:%M")
            synced = self.tr("last synced {0}").format(when)
        else:
            synced = self.tr("never synced")
        parts = [synced,
                 self.tr("{0} waiting to upload ({1})").format(
                     status.pending_entries, format_fen(status.unsynced_covered_fen))]
        if status.conflicts:
            parts.append(self.tr("{0} conflicts — see the records").format(
                status.conflicts))
        self.state.setText(" · ".join(parts))
        stuck = getattr(status, "stuck_entries", 0)
        self.stuck_button.setText(self.tr("{0} not taken by the server — see why").format(stuck))
        self.stuck_button.setVisible(stuck > 0)
        warnings = [w for w in (status.server_flag_warning, status.clock_warning,
                                status.last_error) if w]
        if status.redemption_block is not None:
            warnings.insert(0, status.redemption_block.message(self.services.language))
        warnings += [f.message(self.services.language) for f in status.stale_findings]
        self.warning.setText(" · ".join(warnings))

    def show_stuck(self) -> None:
        from merchant_pos.ui.stuck_dialog import StuckEntriesDialog

        dialog = StuckEntriesDialog(self.services, self.window())
        dialog.finished.connect(lambda _result: self.refresh())
        dialog.open()
        self.stuck_dialog = dialog

    def stop(self) -> None:
        self.timer.stop()
        self.cancel.set()
