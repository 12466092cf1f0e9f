"""Today at this counter: the redemptions, their sync status, voids and the settlement."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from merchant_pos.domain.money import format_fen
from merchant_pos.store import LedgerError, OperatorRole, RedemptionStatus
from merchant_pos.store.redemptions import Receipt
from merchant_pos.store.settlement import Settlement, daily_settlement
from merchant_pos.ui.dialogs import SupervisorApprovalDialog
from merchant_pos.ui.tasks import BackgroundTasks

if TYPE_CHECKING:
    from merchant_pos.ui.counter_window import CounterServices

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


def short_receipt_no(receipt_no: str) -> str:
    """``<device id>-000123`` → ``…000123``: the part a clerk reads off the receipt."""
    head, _, count = receipt_no.rpartition("-")
    return f"…{count}" if head and count.isdigit() else receipt_no


class ReceiptTableModel(QAbstractTableModel):
    HEADERS = 6

    def __init__(self, zone: ZoneInfo, parent: Any = None) -> None:
        super().__init__(parent)
        self.zone = zone
        self.receipts: list[Receipt] = []
        self.server_flags: dict[str, str] = {}  # redemption id → why the server flagged it

    def set_receipts(self, receipts: list[Receipt], flags: dict[str, str] | None = None) -> None:
        self.beginResetModel()
        self.receipts = list(receipts)
        self.server_flags = dict(flags or {})
        self.endResetModel()

    def status_text(self, status: RedemptionStatus) -> str:
        return {
            RedemptionStatus.PENDING: self.tr("Waiting to upload"),
            RedemptionStatus.ACCEPTED: self.tr("Accepted"),
            RedemptionStatus.CONFLICT: self.tr("Conflict: over the limit elsewhere"),
            RedemptionStatus.REJECTED: self.tr("Rejected by the server"),
            RedemptionStatus.VOIDED: self.tr("Voided"),
        }[status]

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.receipts)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else self.HEADERS

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return [self.tr("Time"), self.tr("Receipt"), self.tr("Beneficiary"),
                self.tr("Covered"), self.tr("Customer paid"), self.tr("Status")][section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.receipts[index.row()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 5:
            return self.server_flags.get(r.redemption_id)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 1:
            return r.receipt_no
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 5:
            if r.status in (RedemptionStatus.CONFLICT, RedemptionStatus.REJECTED):
                return Qt.GlobalColor.darkRed
            return None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return [
            datetime.fromtimestamp(r.at, self.zone).strftime("%H:%M"),
            short_receipt_no(r.receipt_no), r.masked_name or r.sub,
            format_fen(r.covered), format_fen(r.pays),
            self.status_text(r.status),
        ][index.column()]


class RecordsDialog(QDialog):
    """Today's redemptions with a void button and the day's settlement totals."""

    changed = Signal()  # data reloaded (tests wait on it)

    def __init__(self, services: CounterServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.tasks = BackgroundTasks(self)
        self.zone = ZoneInfo(services.profile.time_zone)
        self.setWindowTitle(self.tr("Today's redemptions"))
        self.model = ReceiptTableModel(self.zone, self)
        self.supervisors: list[str] = []  # names for the approval dialog, loaded with the list
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.summary = QLabel()
        self.summary.setObjectName("totals")
        self.summary.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("errorText")
        self.flagged = QLabel()  # conflicts the server found, spelled out
        self.flagged.setObjectName("syncWarning")
        self.flagged.setWordWrap(True)
        self.void_button = QPushButton(self.tr("Void selected…"))
        self.void_button.clicked.connect(self.void_selected)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.void_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.flagged)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(900, 560)
        self.reload()

    def reload(self) -> None:
        service, ledger = self.services.redemptions, self.services.redemptions.ledger
        today = datetime.fromtimestamp(ledger.clock(), self.zone).date()
        tz = self.services.profile.time_zone

        sync, lang = self.services.sync, self.services.language

        operators = self.services.operators

        def load() -> tuple[list[Receipt], Settlement, dict[str, str], list[str]]:
            # What the server flagged (conflicts found at sync), in the clerk's words.
            flags = ({c.redemption_id: c.message(lang) for c in sync.ledger.conflicts()}
                     if sync is not None else {})
            supervisors = [op.name for op in operators.operators()
                           if op.role is OperatorRole.SUPERVISOR]
            return (service.recent(200), daily_settlement(ledger, today, tz), flags,
                    supervisors)

        self.tasks.run(load, self._loaded, lambda exc: self.message.setText(str(exc)))

    def _loaded(self, result: tuple[list[Receipt], Settlement, dict[str, str], list[str]]
                ) -> None:
        receipts, settlement, flags, self.supervisors = result
        self.model.set_receipts(receipts, flags)
        self.flagged.setText("\n".join(flags.values()))
        count = self.tr("%n redemption(s)", "", settlement.redemptions)  # en: 1 redemption
        self.summary.setText(self.tr(
            "{0}: {1} · covered by aid {2} · customers paid {3} · voided {4}")
            .format(settlement.day.isoformat(), count,
                    format_fen(settlement.covered), format_fen(settlement.pays),
                    format_fen(settlement.voided)))
        self.changed.emit()

    def selected(self) -> Receipt | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.receipts[rows[0].row()] if rows else None

    def void_selected(self) -> None:
        receipt = self.selected()
        if receipt is None:
            self.message.setText(self.tr("Choose a redemption first"))
            return
        what = self.tr("Void receipt {0} ({1} covered)?").format(
            receipt.receipt_no, format_fen(receipt.covered))
        dialog = SupervisorApprovalDialog(self.supervisors, what, self)
        if dialog.exec():
            self.void(receipt, dialog.name.currentText().strip(), dialog.pin.text(),
                      dialog.reason.text())

    def void(self, receipt: Receipt, supervisor: str, pin: str, reason: str) -> None:
        service, void_id = self.services.redemptions, str(uuid.uuid4())
        lang = self.services.language

        def failed(exc: BaseException) -> None:
            text = exc.message(lang) if isinstance(exc, LedgerError) else str(exc)
            self.message.setText(text)
            self.changed.emit()

        def done(_record: object) -> None:
            self.message.setText("")
            self.reload()

        self.tasks.run(lambda: service.void(receipt.redemption_id, void_id=void_id,
                                            supervisor_name=supervisor, supervisor_pin=pin,
                                            reason=reason), done, failed)
