"""The entries the server will not take: each with the server's reason and what to do.

Opened from the status bar's red "N stuck" button. Nothing here blocks new
redemptions: the entries stay in the outbox, are re-sent at every sync
("Retry" syncs now), and can be exported for support to a file of their own
that holds the beneficiaries' codes (the dialog says so before saving).
All reads, the sync and the export run off the UI thread.
"""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from merchant_pos.domain.money import format_fen
from merchant_pos.store.stuck import StuckEntry, default_export_name, export_stuck
from merchant_pos.sync import messages
from merchant_pos.ui.records_dialog import short_receipt_no
from merchant_pos.ui.tasks import BackgroundTasks

if TYPE_CHECKING:
    from merchant_pos.ui.counter_window import CounterServices


class StuckEntriesDialog(QDialog):
    """A list of stuck entries; Retry (sync now), Export for support, Close."""

    def __init__(self, services: CounterServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.engine: Any = services.sync
        self.tasks = BackgroundTasks(self)
        self.cancel = threading.Event()
        self.entries: list[StuckEntry] = []
        self.setWindowTitle(self.tr("Entries the server did not take"))
        self.resize(760, 360)
        lang = services.language
        self.intro = QLabel(messages.text("stuck_what_to_do", lang))
        self.intro.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([
            self.tr("Receipt"), self.tr("Time"), self.tr("Covered"), self.tr("Server's reason")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.message = QLabel()
        self.message.setObjectName("stuckMessage")
        self.message.setWordWrap(True)
        self.retry = QPushButton(self.tr("Retry"))
        self.export = QPushButton(self.tr("Export…"))
        self.close_button = QPushButton(self.tr("Close"))
        self.retry.clicked.connect(self.retry_now)
        self.export.clicked.connect(self.choose_export_file)
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.retry)
        buttons.addWidget(self.export)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.reload()

    # -- loading -----------------------------------------------------------------------
    def reload(self) -> None:
        if self.engine is None:
            return
        ledger = self.engine.ledger
        self.tasks.run(ledger.stuck_entries, self.show_entries, self._failed)

    def show_entries(self, entries: list[StuckEntry]) -> None:
        self.entries = list(entries)
        zone = ZoneInfo(self.services.profile.time_zone)
        lang = self.services.language
        self.table.setRowCount(len(self.entries))
        for row, e in enumerate(self.entries):
            when = datetime.fromtimestamp(e.created_at, zone).strftime("%m-%d %H:%M")
            kind = self.tr("void of ") if e.kind == "void" else ""
            reason = messages.describe_stuck_reason(e.reason, lang)
            said = f"{reason}\n{e.server_message}" if e.server_message else reason
            cells = [kind + short_receipt_no(e.receipt_no), when, format_fen(e.covered), reason]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip({0: e.receipt_no, 3: said}.get(col, text))  # server's words
                self.table.setItem(row, col, item)
        self.export.setEnabled(bool(self.entries))
        if not self.entries:
            self.message.setText(self.tr("Nothing is stuck: every entry reached the server."))

    # -- retry -------------------------------------------------------------------------
    def retry_now(self) -> None:
        if self.engine is None:
            return
        self.retry.setEnabled(False)
        self.message.setText(self.tr("Syncing…"))
        engine, cancel, lang = self.engine, self.cancel, self.services.language
        self.tasks.run(lambda: engine.sync_now(cancel).message(lang), self._retried,
                       self._failed)

    def _retried(self, text: str) -> None:
        self.retry.setEnabled(True)
        self.message.setText(text)
        self.reload()

    # -- export ------------------------------------------------------------------------
    def choose_export_file(self) -> None:
        answer = QMessageBox.warning(
            self, self.tr("Export for support"),
            self.tr("The file will contain the beneficiaries' codes. Give it only to the "
                    "foundation's support staff; never attach it to a support bundle, a chat "
                    "or an e-mail to anyone else."),
            QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Ok:
            return
        suggested = str(Path.home() / default_export_name(int(self.engine.clock.now())))
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export for support"), suggested,
                                              self.tr("JSON files (*.json)"))
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        engine = self.engine
        device = engine.ledger.get_setting("sync.device_id")
        self.export.setEnabled(False)
        self.tasks.run(lambda: export_stuck(engine.ledger.ledger, path,
                                            at=int(engine.clock.now()), device_id=device),
                       lambda count: self._exported(count, path), self._export_failed)

    def _exported(self, count: int, path: Path) -> None:
        self.export.setEnabled(True)
        self.message.setText(messages.text("stuck_exported", self.services.language,
                                           count=count, path=str(path)))

    def _export_failed(self, exc: BaseException) -> None:
        self.export.setEnabled(True)
        lang = self.services.language
        if isinstance(exc, FileExistsError):
            self.message.setText(messages.text("stuck_export_exists", lang, path=str(exc)))
        else:
            self.message.setText(messages.text("stuck_export_failed", lang, detail=str(exc)))

    def _failed(self, exc: BaseException) -> None:
        self.retry.setEnabled(True)
        self.message.setText(str(exc))

    def done(self, result: int) -> None:
        self.cancel.set()
        super().done(result)
