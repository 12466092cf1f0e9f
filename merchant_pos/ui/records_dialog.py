"""The counter's records: redemptions of a chosen day (or found by receipt number or
beneficiary id across all days), their sync status, reprint, void, and the day's 日结
totals with its reconciliation state."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from merchant_pos.domain.money import format_fen
from merchant_pos.printing.content import mask_id
from merchant_pos.printing.targets import PrintError
from merchant_pos.reports.daily import DayReport, build_report
from merchant_pos.reports.reconcile import reconciled_state, stored_differences
from merchant_pos.store import LedgerError, OperatorRole, RedemptionStatus
from merchant_pos.store.records import find_receipts
from merchant_pos.store.redemptions import Receipt
from merchant_pos.ui import keys
from merchant_pos.ui.dialogs import SupervisorApprovalDialog
from merchant_pos.ui.keys import with_key
from merchant_pos.ui.records_keys import RecordsKeys
from merchant_pos.ui.settlement_dialog import SettlementDialog
from merchant_pos.ui.tasks import BackgroundTasks

if TYPE_CHECKING:
    from merchant_pos.ui.counter_window import CounterServices

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


def short_receipt_no(receipt_no: str) -> str:
    """An old ``<device id>-000123`` → ``…000123``; a new ``03-000123`` as it is."""
    head, _, count = receipt_no.rpartition("-")
    return f"…{count}" if len(head) > 8 and count.isdigit() else receipt_no


class ReceiptTableModel(QAbstractTableModel):
    HEADERS = 6

    def __init__(self, zone: ZoneInfo, parent: Any = None) -> None:
        super().__init__(parent)
        self.zone = zone
        self.today = datetime.now(zone).date()
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
        when = datetime.fromtimestamp(r.at, self.zone)
        who = f"{r.masked_name} {mask_id(r.sub)}" if r.masked_name else mask_id(r.sub)
        return [
            when.strftime("%H:%M" if when.date() == self.today else "%Y-%m-%d %H:%M"),
            short_receipt_no(r.receipt_no), who,
            format_fen(r.covered), format_fen(r.pays),
            self.status_text(r.status),
        ][index.column()]


class RecordsDialog(QDialog):
    """A day's redemptions (or a search across all days), reprint, void, the day's totals."""

    changed = Signal()  # data reloaded (tests wait on it)

    def __init__(self, services: CounterServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.tasks = BackgroundTasks(self)
        self.zone = ZoneInfo(services.profile.time_zone)
        self.setWindowTitle(self.tr("Records"))
        today = datetime.fromtimestamp(services.redemptions.ledger.clock(), self.zone).date()
        self.day = QDateEdit(QDate(today.year, today.month, today.day))
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.dateChanged.connect(lambda _d: self.reload())
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Receipt number or beneficiary id (all days)"))
        self.search.returnPressed.connect(self.reload)
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda text: None if text else self.reload())
        find = QPushButton(self.tr("Search"))
        find.clicked.connect(self.reload)
        filters = QHBoxLayout()
        filters.addWidget(QLabel(self.tr("Day")))
        filters.addWidget(self.day)
        filters.addWidget(self.search, 1)
        filters.addWidget(find)
        self.model = ReceiptTableModel(self.zone, self)
        self.model.today = today
        self.supervisors: list[str] = []  # names for the approval dialog, loaded with the list
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.ResizeToContents)  # the status
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
        self.reprint_button = QPushButton(self.tr("Reprint"))
        self.reprint_button.clicked.connect(self.reprint_selected)
        self.report_button = QPushButton(self.tr("Print the day's settlement"))
        self.report_button.clicked.connect(self.print_day_report)
        self.settlement_button = QPushButton(with_key(self.tr("Day settlement"),
                                                      keys.SETTLEMENT))
        self.settlement_button.setShortcut(QKeySequence(keys.SETTLEMENT))
        self.settlement_button.clicked.connect(self.open_settlement)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reprint_button)
        buttons.addWidget(self.void_button)
        buttons.addWidget(self.settlement_button)
        buttons.addWidget(self.report_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.flagged)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(900, 560)
        self._load_seq = 0
        self.keys = RecordsKeys(self)  # search field first, a row always picked, Del voids
        self.reload()

    def selected_day(self) -> date:
        d = self.day.date()
        return date(d.year(), d.month(), d.day())

    def reload(self) -> None:
        ledger = self.services.redemptions.ledger
        day, text = self.selected_day(), self.search.text().strip()
        tz, lang = self.services.profile.time_zone, self.services.language
        sync, operators = self.services.sync, self.services.operators

        def load() -> tuple[list[Receipt], DayReport, str, dict[str, str], list[str]]:
            # What the server flagged (conflicts found at sync), in the clerk's words.
            flags = ({c.redemption_id: c.message(lang) for c in sync.ledger.conflicts()}
                     if sync is not None else {})
            supervisors = [op.name for op in operators.operators()
                           if op.role is OperatorRole.SUPERVISOR]
            receipts = find_receipts(ledger, day=None if text else day, time_zone=tz,
                                     text=text)
            for diff in stored_differences(ledger, day):  # vs the server's list, named
                flags.setdefault(diff.redemption_id, diff.message(lang))
            return (receipts, build_report(ledger, day, language=lang),
                    reconciled_state(ledger, day), flags, supervisors)

        self._load_seq += 1
        seq = self._load_seq  # an older load finishing last must not replace a newer one
        self.tasks.run(load, lambda r: self._loaded(r) if seq == self._load_seq else None,
                       lambda exc: self.message.setText(str(exc)))

    def _loaded(self, result: tuple[list[Receipt], DayReport, str, dict[str, str], list[str]]
                ) -> None:
        receipts, report, state, flags, self.supervisors = result
        self.model.set_receipts(receipts, flags)
        self.flagged.setText("\n".join(flags.values()))
        tot, voided = report.totals, report.by_status["voided"]
        states = {"reconciled": self.tr("reconciled with the foundation"),
                  "changed": self.tr("changed since reconciled: check again"),
                  "differences": self.tr("differences with the foundation"),
                  "unchecked": self.tr("not reconciled yet")}
        count = self.tr("%n redemption(s)", "", tot.count)  # en: 1 redemption
        self.summary.setText(self.tr(
            "{0}: {1} · covered by aid {2} · customers paid {3} · voided {4}"
            " · reimbursable {5} · {6}")
            .format(report.first.isoformat(), count, format_fen(tot.covered),
                    format_fen(tot.paid), format_fen(voided.covered),
                    format_fen(tot.reimbursable), states.get(state, state)))
        self.changed.emit()

    def reprint_selected(self) -> None:
        receipt = self.selected()
        printer = self.services.extras.get("receipt_printer")
        if receipt is None:
            self.message.setText(self.tr("Choose a redemption first"))
        elif printer is None:
            self.message.setText(self.tr("No receipt printer is set up"))
        else:
            printer.reprint(receipt.redemption_id)
            self.message.setText(self.tr("Reprinting receipt {0}").format(receipt.receipt_no))

    def print_day_report(self) -> None:
        """The chosen day's 日结 on the receipt printer (A4 on a system printer)."""
        printer = self.services.extras.get("receipt_printer")
        if printer is None:
            self.message.setText(self.tr("No receipt printer is set up"))
            return
        day, lang = self.selected_day(), self.services.language
        self.report_button.setEnabled(False)

        def done(_none: object) -> None:
            self.report_button.setEnabled(True)
            self.message.setText(self.tr("The settlement of {0} was sent to the printer")
                                 .format(day.isoformat()))
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            self.report_button.setEnabled(True)
            self.message.setText(exc.message(lang) if isinstance(exc, PrintError) else str(exc))
            self.changed.emit()

        self.tasks.run(lambda: printer.print_day_report(day), done, failed)

    def open_settlement(self) -> SettlementDialog:
        """The 日结 window for the chosen day."""
        dialog = SettlementDialog(self.services, self, self.selected_day())
        dialog.open()
        return dialog

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
            from merchant_pos.ui.pin_change import ask_new_pin  # issue 13: weak PIN first

            ask_new_pin(exc, self.services.extras.get("staff"), lang, self, lambda ok: (
                self.message.setText(self.tr("PIN changed. Void again with the new PIN."))
                if ok else None))

        def done(_record: object) -> None:
            self.message.setText("")
            printer = self.services.extras.get("receipt_printer")
            if printer is not None:
                printer.print_void(receipt.redemption_id)
            self.reload()

        self.tasks.run(lambda: service.void(receipt.redemption_id, void_id=void_id,
                                            supervisor_name=supervisor, supervisor_pin=pin,
                                            reason=reason), done, failed)
