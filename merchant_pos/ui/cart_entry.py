"""Entering a cart line: pick a category, type the price, set the quantity, add."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from merchant_pos.domain.money import format_fen, parse_yuan
from merchant_pos.domain.quote import CartLine
from merchant_pos.ui.labels import Labels, StandardItem

BUTTONS_PER_ROW = 4


class CartEntry(QWidget):
    """Big category buttons and a price field; emits ``lineAdded`` or ``invalid``."""

    lineAdded = Signal(object)  # CartLine
    invalid = Signal(str)  # message for the clerk

    def __init__(self, labels: Labels, categories: Sequence[str],
                 items: Sequence[StandardItem] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels = labels
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        grid = QGridLayout()
        for i, cat in enumerate(labels.ordered(categories)):
            button = QPushButton(labels.category(cat))
            button.setObjectName("categoryButton")
            button.setCheckable(True)
            button.setProperty("category", cat)
            self.group.addButton(button)
            grid.addWidget(button, i // BUTTONS_PER_ROW, i % BUTTONS_PER_ROW)
        if self.group.buttons():
            self.group.buttons()[0].setChecked(True)
        self.amount = QLineEdit()
        self.amount.setObjectName("amountField")
        self.amount.setPlaceholderText(self.tr("Unit price in yuan, e.g. 12.50"))
        self.amount.returnPressed.connect(self.add_line)
        self.group.buttonClicked.connect(lambda _b: self.amount.setFocus())
        self.qty = QSpinBox()
        self.qty.setRange(1, 99)
        self.qty.setPrefix("× ")
        self.add_button = QPushButton(self.tr("Add to cart"))
        self.add_button.setObjectName("addButton")
        self.add_button.clicked.connect(self.add_line)

        quick = QHBoxLayout()
        for item in items:
            if item.cat not in categories:
                continue
            button = QPushButton(f"{item.name}  {format_fen(item.price)}")
            button.setObjectName("itemButton")
            button.clicked.connect(lambda _c=False, it=item: self.add_item(it))
            quick.addWidget(button)
        quick.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(QLabel("¥"))
        row.addWidget(self.amount, 3)
        row.addWidget(self.qty, 1)
        row.addWidget(self.add_button, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(grid)
        layout.addLayout(quick)
        layout.addLayout(row)

    def selected_category(self) -> str | None:
        button = self.group.checkedButton()
        return None if button is None else str(button.property("category"))

    def select_category(self, cat: str) -> None:
        for button in self.group.buttons():
            if button.property("category") == cat:
                button.setChecked(True)

    def add_item(self, item: StandardItem) -> None:
        qty = self.qty.value()
        self.lineAdded.emit(CartLine(item.cat, item.price * qty, qty))
        self.qty.setValue(1)

    def add_line(self) -> None:
        cat = self.selected_category()
        if cat is None:
            self.invalid.emit(self.tr("Choose a category first"))
            return
        try:
            unit_price = parse_yuan(self.amount.text())
        except ValueError:
            self.invalid.emit(self.tr("Type the price in yuan, for example 12.50"))
            return
        if unit_price <= 0:
            self.invalid.emit(self.tr("The price must be more than zero"))
            return
        qty = self.qty.value()
        # A cart line's amount is the line's price: unit price times quantity.
        self.lineAdded.emit(CartLine(cat, unit_price * qty, qty))
        self.amount.clear()
        self.qty.setValue(1)
        self.amount.setFocus()
