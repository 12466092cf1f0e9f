"""Entering a cart line: pick a category, type the price, set the quantity, add.

Every control has a key (:mod:`merchant_pos.ui.keys`): F1-F4 pick a category,
F5-F8 add a standard item, Ctrl+Up / Ctrl+Down change the quantity; Enter in
the price field adds the line. Each button shows its key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
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
from merchant_pos.ui.keys import CATEGORY_KEYS, ITEM_KEYS, QTY_DOWN, QTY_UP, with_key
from merchant_pos.ui.labels import Labels, StandardItem

BUTTONS_PER_ROW = 4


class CartEntry(QWidget):
    """Big category buttons and a price field; emits ``lineAdded`` or ``invalid``."""

    lineAdded = Signal(object)  # CartLine
    invalid = Signal(str)  # message for the clerk
    confirmRequested = Signal()  # Enter in the empty price field

    def __init__(self, labels: Labels, categories: Sequence[str],
                 items: Sequence[StandardItem] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels = labels
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        grid = QGridLayout()
        self.shortcuts: list[QShortcut] = []
        for i, cat in enumerate(labels.ordered(categories)):
            name = labels.category(cat)
            button = QPushButton(with_key(name, CATEGORY_KEYS[i]) if i < len(CATEGORY_KEYS)
                                 else name)
            button.setObjectName("categoryButton")
            button.setCheckable(True)
            button.setProperty("category", cat)
            self.group.addButton(button)
            grid.addWidget(button, i // BUTTONS_PER_ROW, i % BUTTONS_PER_ROW)
            if i < len(CATEGORY_KEYS):
                self._key(CATEGORY_KEYS[i], button.click)
        if self.group.buttons():
            self.group.buttons()[0].setChecked(True)
        self.amount = QLineEdit()
        self.amount.setObjectName("amountField")
        self.amount.setPlaceholderText(self.tr("Unit price in yuan, e.g. 12.50"))
        self.amount.returnPressed.connect(self._enter)
        self.group.buttonClicked.connect(lambda _b: self.amount.setFocus())
        self.qty = QSpinBox()
        self.qty.setRange(1, 99)
        self.qty.setPrefix("× ")
        self.qty.setToolTip(self.tr("Quantity: {0} / {1}").format(QTY_UP, QTY_DOWN))
        self._key(QTY_UP, lambda: self.qty.stepBy(1))
        self._key(QTY_DOWN, lambda: self.qty.stepBy(-1))
        self.add_button = QPushButton(with_key(self.tr("Add to cart"), "Enter"))
        self.add_button.setObjectName("addButton")
        self.add_button.clicked.connect(self.add_line)

        quick = QHBoxLayout()
        self.items = [item for item in items if item.cat in categories]
        self.item_buttons: list[QPushButton] = []
        for i, item in enumerate(self.items):
            text = f"{item.name}  {format_fen(item.price)}"
            button = QPushButton(with_key(text, ITEM_KEYS[i]) if i < len(ITEM_KEYS) else text)
            button.setObjectName("itemButton")
            button.clicked.connect(lambda _c=False, it=item: self.add_item(it))
            if i < len(ITEM_KEYS):
                self._key(ITEM_KEYS[i], button.click)
            self.item_buttons.append(button)
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

    def _key(self, keys: str, action: Callable[[], object]) -> None:
        shortcut = QShortcut(QKeySequence(keys), self)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(action)
        self.shortcuts.append(shortcut)

    def _enter(self) -> None:
        if self.amount.text().strip():
            self.add_line()
        else:
            self.confirmRequested.emit()

    def tab_chain(self) -> list[QWidget]:
        """Tab order: price, quantity, add, then the category and item buttons."""
        return [self.amount, self.qty, self.add_button, *self.group.buttons(),
                *self.item_buttons]

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
