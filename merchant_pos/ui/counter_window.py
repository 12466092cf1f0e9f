"""The counter: scan a code, enter the cart, see what is covered, confirm.

The window never touches the disk, the network or the camera on the UI
thread: quotes, redemptions and syncs run on its :class:`BackgroundTasks`,
camera frames arrive from the scan worker's threads.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from merchant_pos.domain.errors import CodeRejected
from merchant_pos.domain.money import format_fen
from merchant_pos.domain.quote import CartLine
from merchant_pos.scan.capture import CameraState
from merchant_pos.scan.classify import ScanEvent, ScanSource, classify
from merchant_pos.scan.messages import message as scan_message
from merchant_pos.store import (
    LedgerError,
    LedgerErrorId,
    OperatorRegistry,
    OperatorSession,
    RedemptionService,
)
from merchant_pos.store.redemptions import CartQuote, Receipt
from merchant_pos.store.reference import MerchantProfile
from merchant_pos.ui.beneficiary_card import BeneficiaryCard
from merchant_pos.ui.cart_entry import CartEntry
from merchant_pos.ui.cart_model import CartTableModel
from merchant_pos.ui.dialogs import SignInDialog, TypeCodeDialog
from merchant_pos.ui.labels import Labels, StandardItem
from merchant_pos.ui.receipt_view import ReceiptDialog
from merchant_pos.ui.records_dialog import RecordsDialog
from merchant_pos.ui.scan_preview import ScanPreview
from merchant_pos.ui.scan_wedge import WedgeScanFilter, make_scanner_field
from merchant_pos.ui.status_bar import SyncStatusBar
from merchant_pos.ui.tasks import BackgroundTasks


@dataclass
class CounterServices:
    """What the counter needs, built by ``merchant_pos.app``; nothing global."""

    redemptions: RedemptionService
    operators: OperatorRegistry
    profile: MerchantProfile
    labels: Labels
    language: str = "zh_CN"
    sync: Any = None  # merchant_pos.sync.SyncEngine, when enrolled
    camera: Any = None  # merchant_pos.ui.scan_camera.CameraWorker, when a camera is set
    items: list[StandardItem] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)


class CounterWindow(QMainWindow):
    quoted = Signal()  # a quote (or a rejection) was shown: tests wait on it
    redeemed = Signal(object)  # Receipt

    def __init__(self, services: CounterServices, session: OperatorSession,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.session = session
        self.tasks = BackgroundTasks(self)
        self.code_text: str | None = None
        self.current: CartQuote | None = None
        self._quote_seq = 0
        self._pending_redemption_id: str | None = None
        self._busy = False
        self.setWindowTitle(self.tr("Merchant POS — {0}").format(services.profile.merchant_name))
        self.cart = CartTableModel(services.labels.category, self)
        self._build()
        # One debouncer for camera and scanner: a code both read at once counts once.
        debouncer = services.camera.service.debouncer if services.camera is not None else None
        self.wedge = WedgeScanFilter(self, debouncer=debouncer).install()
        self.wedge.scanned.connect(self.on_scan)
        if services.camera is not None:
            self.preview.attach(services.camera)
            services.camera.scanned.connect(self.on_scan)
        else:
            # No camera at this counter: the panel says how to scan instead.
            self.preview.set_state(CameraState.STOPPED.value,
                                   self.tr("Scan with the barcode scanner"))
        self.status.refresh()

    # -- layout -------------------------------------------------------------------------
    def _build(self) -> None:
        s = self.services
        self.preview = ScanPreview()
        photo = QPushButton(self.tr("Open photo…"))
        photo.clicked.connect(self.open_photo)
        typed = QPushButton(self.tr("Type code…"))
        typed.clicked.connect(self.type_code)
        left = QVBoxLayout()
        left.addWidget(self.preview, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(photo)
        buttons.addWidget(typed)
        left.addLayout(buttons)

        self.card = BeneficiaryCard(s.labels)
        self.entry = CartEntry(s.labels, s.profile.categories, s.items)
        self.entry.lineAdded.connect(self.add_line)
        self.entry.invalid.connect(lambda text: self.show_message(text, "error"))
        # Focus sits in the price field while a scanner may fire: no input method
        # there, or a Chinese IME would swallow the scanner's letters.
        make_scanner_field(self.entry.amount)
        self.table = QTableView()
        self.table.setModel(self.cart)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        remove = QPushButton(self.tr("Remove line"))
        remove.clicked.connect(self.remove_selected_line)
        QShortcut(QKeySequence.StandardKey.Delete, self.table, self.remove_selected_line)

        self.totals = QLabel()
        self.totals.setObjectName("totals")
        self.pays = QLabel()
        self.pays.setObjectName("customerPays")
        self.pays.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        new_customer = QPushButton(self.tr("Next customer"))
        new_customer.clicked.connect(self.reset)
        self.confirm = QPushButton(self.tr("Confirm redemption"))
        self.confirm.setObjectName("confirmButton")
        self.confirm.clicked.connect(self.confirm_redemption)

        right = QVBoxLayout()
        right.addWidget(self.card)
        right.addWidget(self.entry)
        right.addWidget(self.table, 1)
        right.addWidget(remove, 0, Qt.AlignmentFlag.AlignLeft)
        right.addWidget(self.message)
        sums = QHBoxLayout()
        sums.addWidget(self.totals, 1)
        sums.addWidget(self.pays, 1)
        right.addLayout(sums)
        actions = QHBoxLayout()
        actions.addWidget(new_customer)
        actions.addStretch(1)
        actions.addWidget(self.confirm)
        right.addLayout(actions)

        body = QHBoxLayout()
        body.addLayout(left, 2)
        body.addLayout(right, 3)
        central = QWidget()
        central.setLayout(body)
        self.setCentralWidget(central)
        self.status = SyncStatusBar(self.services, self.session, self.tasks, self)
        self.setStatusBar(self.status)
        toolbar = self.addToolBar(self.tr("Counter"))
        toolbar.setMovable(False)
        toolbar.addAction(self.tr("Today's redemptions"), self.open_records)
        toolbar.addAction(self.tr("Lock"), self.lock)
        self._refresh_totals()

    # -- scanning -----------------------------------------------------------------------
    def on_scan(self, event: ScanEvent) -> None:
        if not event.is_beneficiary_code:
            text = scan_message(event.message, self.services.language) if event.message else ""
            self.preview.show_notice(text)
            self.show_message(text, "warning")
            return
        if self._busy:
            # A redemption is being saved; it resets the counter when done, so a new
            # customer's code would be lost. Say so rather than drop it silently.
            self.show_message(self.tr("Still saving the last redemption; scan again in a "
                                      "moment"), "warning")
            return
        self.code_text = event.text
        self._pending_redemption_id = None
        self.show_message(self.tr("Checking the code…"), "info")
        self.request_quote()

    def open_photo(self) -> None:
        photo = self.services.extras.get("photo")
        if photo is not None:
            photo.choose_files(self)

    def type_code(self) -> None:
        dialog = TypeCodeDialog(self)
        if dialog.exec() and dialog.code():
            self.on_scan(classify(dialog.code(), ScanSource.SCANNER))

    # -- cart ---------------------------------------------------------------------------
    def add_line(self, line: CartLine) -> None:
        self.cart.add_line(line)
        self._pending_redemption_id = None
        self.request_quote()

    def remove_selected_line(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        row = rows[0].row() if rows else self.cart.rowCount() - 1
        self.cart.remove_row(row)
        self._pending_redemption_id = None
        self.request_quote()

    def reset(self) -> None:
        self.code_text = None
        self.current = None
        self._pending_redemption_id = None
        self.cart.clear()
        self.card.show_empty()
        self.show_message("", "info")
        self._refresh_totals()

    # -- quoting (off the UI thread; stale answers are dropped) ------------------------
    def request_quote(self) -> None:
        self._refresh_totals()
        if self.code_text is None:
            self.quoted.emit()
            return
        self._quote_seq += 1
        seq, code, lines = self._quote_seq, self.code_text, self.cart.lines()
        service = self.services.redemptions
        self.tasks.run(lambda: service.quote(code, lines),
                       lambda cq: self._quote_done(seq, cq),
                       lambda exc: self._quote_failed(seq, exc))

    def _quote_done(self, seq: int, cq: CartQuote) -> None:
        if seq != self._quote_seq:
            return
        self.current = cq
        self.cart.set_quote(cq.quote)
        self.card.show_quote(cq)
        self.show_message("", "info")
        self._refresh_totals()
        self.quoted.emit()

    def _quote_failed(self, seq: int, exc: BaseException) -> None:
        if seq != self._quote_seq:
            return
        self.current = None
        self.cart.set_quote(None)
        if isinstance(exc, CodeRejected):
            self.code_text = None
            self.card.show_empty()
        self.show_message(self.error_text(exc), "error")
        self._refresh_totals()
        self.quoted.emit()

    # -- confirming ---------------------------------------------------------------------
    def confirm_redemption(self) -> None:
        cq, code = self.current, self.code_text
        if self._busy or cq is None or code is None or cq.covered == 0:
            return
        # One id per confirmed cart: a retry after a failure records it once.
        if self._pending_redemption_id is None:
            self._pending_redemption_id = str(uuid.uuid4())
        rid, lines, covered = self._pending_redemption_id, self.cart.lines(), cq.covered
        service, session = self.services.redemptions, self.session

        def redeem() -> Receipt:
            # The ledger enforces the offline limits inside redeem; a refusal comes back
            # as a LedgerError with the clerk's message.
            return service.redeem(rid, code, lines, session, expected_covered=covered)

        self._set_busy(True)
        self.show_message(self.tr("Saving…"), "info")
        self.tasks.run(redeem, self._redeem_done, self._redeem_failed)

    def _redeem_done(self, receipt: Receipt) -> None:
        self._set_busy(False)
        self.redeemed.emit(receipt)
        self.reset()
        self.show_message(self.tr("Recorded. Receipt {0}: covered {1}, customer pays {2}")
                          .format(receipt.receipt_no, format_fen(receipt.covered),
                                  format_fen(receipt.pays)), "success")
        self.status.refresh()
        if self.services.extras.get("show_receipts", True):
            ReceiptDialog(receipt, self.services.labels, self.services.profile, self).open()

    def _redeem_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, LedgerError) and exc.error is LedgerErrorId.SESSION_LOCKED:
            self.show_message(self.error_text(exc), "warning")
            if self.unlock_prompt():
                self.confirm_redemption()  # same redemption id: recorded once
            return
        if isinstance(exc, LedgerError) and exc.error is LedgerErrorId.QUOTE_CHANGED:
            self._pending_redemption_id = None
            self.request_quote()
        self.show_message(self.error_text(exc), "error")

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._refresh_totals()

    # -- records and lock ---------------------------------------------------------------
    def open_records(self) -> RecordsDialog:
        dialog = RecordsDialog(self.services, self)
        dialog.finished.connect(lambda _r: self.status.refresh())
        dialog.open()
        return dialog

    def lock(self) -> None:
        """Lock the counter now; the operator's PIN unlocks it."""
        self.session.lock()
        self.unlock_prompt()

    def unlock_prompt(self) -> bool:
        lang, operators, session = self.services.language, self.services.operators, self.session
        dialog = SignInDialog(
            [session.operator.name], self,
            check=lambda _name, pin: operators.unlock(session, pin),
            describe=lambda exc: exc.message(lang) if isinstance(exc, LedgerError) else str(exc))
        dialog.setWindowTitle(self.tr("Unlock the counter"))
        dialog.name.setEnabled(False)
        return bool(dialog.exec())

    # -- feedback -----------------------------------------------------------------------
    def error_text(self, exc: BaseException) -> str:
        lang = self.services.language
        if isinstance(exc, CodeRejected):
            return exc.message(lang)
        if isinstance(exc, LedgerError):
            return exc.message(lang)
        return self.tr("Something went wrong: {0}. Nothing was recorded.").format(
            type(exc).__name__)

    def show_message(self, text: str, kind: str) -> None:
        self.message.setText(text)
        self.message.setProperty("kind", kind)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    def _refresh_totals(self) -> None:
        total = self.cart.total()
        q = self.cart.quote
        covered = q.covered if q is not None else 0
        self.totals.setText(self.tr("Total {0}   Covered {1}").format(
            format_fen(total), format_fen(covered) if q is not None else "…"))
        self.pays.setText(self.tr("Customer pays {0}").format(
            format_fen(total - covered) if q is not None or not total else "…"))
        self.confirm.setEnabled(not self._busy and self.current is not None
                                and q is not None and covered > 0)

    # -- shutdown -----------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        self.wedge.uninstall()
        self.status.stop()
        if self.services.camera is not None:
            self.services.camera.stop()
        self.tasks.wait(15_000)
        super().closeEvent(event)
