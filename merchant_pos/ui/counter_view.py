"""The counter's widgets, laid out for 1024x768 and up; no behaviour here.

Top: the full-width result banner. Left: the camera preview and the photo /
typed-code buttons. Right: the beneficiary card (fixed height), cart entry,
the cart table, then the totals with "customer pays" at the largest size,
and the actions. Every button shows its key.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from merchant_pos.domain.money import format_fen
from merchant_pos.store.redemptions import Receipt
from merchant_pos.ui import keys
from merchant_pos.ui.beneficiary_card import BeneficiaryCard
from merchant_pos.ui.cart_entry import CartEntry
from merchant_pos.ui.cart_model import CartTableModel
from merchant_pos.ui.keys import with_key
from merchant_pos.ui.labels import Labels, StandardItem
from merchant_pos.ui.result_banner import ResultBanner
from merchant_pos.ui.scan_preview import ScanPreview
from merchant_pos.ui.scan_wedge import make_scanner_field


class CounterView(QWidget):
    """The counter window's central widget."""

    def __init__(self, labels: Labels, categories: tuple[str, ...] | list[str],
                 items: list[StandardItem], cart: CartTableModel,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.banner = ResultBanner()
        b = self.banner
        b.undo_button.setText(with_key(self.tr("Undo"), keys.UNDO))
        b.receipt_button.setText(with_key(self.tr("Receipt"), keys.RECEIPT))
        b.discard_button.setText(with_key(self.tr("Serve the new customer"), keys.CONFIRM))
        b.keep_button.setText(with_key(self.tr("Keep this cart"), keys.CLEAR))

        self.preview = ScanPreview()
        self.preview.setMinimumSize(260, 160)
        self.photo_button = QPushButton(with_key(self.tr("Open photo…"), keys.PHOTO))
        self.typed_button = QPushButton(with_key(self.tr("Type code…"), keys.TYPE_CODE))
        left = QVBoxLayout()
        left.addWidget(self.preview, 1)
        buttons = QVBoxLayout()  # stacked: the left column stays narrow at 1024 px
        buttons.addWidget(self.photo_button)
        buttons.addWidget(self.typed_button)
        left.addLayout(buttons)
        # The window's tools (records, lock; other screens add theirs) sit under the
        # code inputs, not in a toolbar row that would cost the cart 46 px at 768 px.
        self.tools = QToolBar()
        self.tools.setObjectName("counterTools")
        self.tools.setOrientation(Qt.Orientation.Vertical)
        self.tools.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        left.addWidget(self.tools)

        self.card = BeneficiaryCard(labels)
        self.entry = CartEntry(labels, categories, items)
        # Focus sits in the price field while a scanner may fire: no input method
        # there, or a Chinese IME would swallow the scanner's letters.
        make_scanner_field(self.entry.amount)
        self.table = QTableView()
        self.table.setModel(cart)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(CartTableModel.NOTE, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)

        self.totals = QLabel()
        self.totals.setObjectName("totals")
        self.totals.setWordWrap(True)
        self.pays = QLabel()
        self.pays.setObjectName("customerPays")
        self.pays.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.next_button = QPushButton(with_key(self.tr("Next customer"), keys.CLEAR))
        self.remove_button = QPushButton(with_key(self.tr("Remove line"), keys.DELETE_LINE))
        self.confirm = QPushButton(with_key(self.tr("Confirm redemption"), keys.CONFIRM))
        self.confirm.setObjectName("confirmButton")

        right = QVBoxLayout()
        right.addWidget(self.card)
        right.addWidget(self.entry)
        right.addWidget(self.table, 1)
        sums = QHBoxLayout()
        sums.addWidget(self.totals, 1)
        sums.addWidget(self.pays, 1)
        right.addLayout(sums)
        actions = QHBoxLayout()
        actions.addWidget(self.next_button)
        actions.addWidget(self.remove_button)
        actions.addStretch(1)
        actions.addWidget(self.confirm)
        right.addLayout(actions)

        body = QHBoxLayout()
        body.addLayout(left, 2)
        body.addLayout(right, 3)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 4)
        outer.addWidget(self.banner)
        outer.addLayout(body, 1)

    def show_totals(self, result: Receipt | None, cart: CartTableModel) -> None:
        """The recorded redemption's figures while its result shows, else the cart's."""
        if result is not None:
            self.totals.setText(self.tr("Receipt {0} · total {1} · covered {2}").format(
                result.receipt_no, format_fen(result.total), format_fen(result.covered)))
            self.pays.setText(self.tr("Customer pays {0}").format(format_fen(result.pays)))
            return
        total, q = cart.total(), cart.quote
        covered = q.covered if q is not None else 0
        self.totals.setText(self.tr("Total {0}   Covered {1}").format(
            format_fen(total), format_fen(covered) if q is not None else "…"))
        self.pays.setText(self.tr("Customer pays {0}").format(
            format_fen(total - covered) if q is not None or not total else "…"))

    def add_tool(self, text: str, slot: Callable[[], object]) -> None:
        """A window tool under the code inputs, as wide as the column."""
        action = self.tools.addAction(text, slot)
        tool = self.tools.widgetForAction(action)
        if tool is not None:
            tool.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def tab_chain(self) -> list[QWidget]:
        """Price field first (where the clerk types), then the cart and actions, then the
        code inputs; the banner's actions last."""
        return [*self.entry.tab_chain(), self.table, self.remove_button, self.next_button,
                self.confirm, self.photo_button, self.typed_button,
                *self.banner.actions_]

    def set_tab_order(self) -> None:
        chain = self.tab_chain()
        for a, b in itertools.pairwise(chain):
            QWidget.setTabOrder(a, b)
