"""The cart as a Qt table model: lines the clerk entered, with the quote beside them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from merchant_pos.domain.money import format_fen
from merchant_pos.domain.quote import CartLine, Quote

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


class CartTableModel(QAbstractTableModel):
    """Columns: category, quantity, amount, covered, customer pays, and why a line is not
    (or only partly) covered, written in the line itself."""

    COLUMNS = 6
    CAT, QTY, AMOUNT, COVERED, PAYS, NOTE = range(COLUMNS)

    def __init__(self, category_label: Callable[[str], str] = str,
                 parent: Any = None) -> None:
        super().__init__(parent)
        self._lines: list[CartLine] = []
        self._quote: Quote | None = None
        self._label = category_label

    # -- editing ------------------------------------------------------------------------
    def lines(self) -> list[CartLine]:
        return list(self._lines)

    def add_line(self, line: CartLine) -> None:
        row = len(self._lines)
        self.beginInsertRows(_ROOT, row, row)
        self._lines.append(line)
        self._quote = None
        self.endInsertRows()
        self._quote_columns_changed()

    def remove_row(self, row: int) -> None:
        if not 0 <= row < len(self._lines):
            return
        self.beginRemoveRows(_ROOT, row, row)
        del self._lines[row]
        self._quote = None
        self.endRemoveRows()
        self._quote_columns_changed()

    def clear(self) -> None:
        self.beginResetModel()
        self._lines.clear()
        self._quote = None
        self.endResetModel()

    def set_quote(self, quote: Quote | None) -> None:
        """Show a quote; ignored unless it is for exactly the current lines."""
        if quote is not None and [lq.line for lq in quote.lines] != self._lines:
            return
        self._quote = quote
        self._quote_columns_changed()

    @property
    def quote(self) -> Quote | None:
        return self._quote

    def total(self) -> int:
        return sum(line.amount for line in self._lines)

    def _quote_columns_changed(self) -> None:
        if self._lines:
            self.dataChanged.emit(self.index(0, self.COVERED),
                                  self.index(len(self._lines) - 1, self.NOTE))

    # -- the model ----------------------------------------------------------------------
    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else self.COLUMNS

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return [self.tr("Category"), self.tr("Qty"), self.tr("Amount"), self.tr("Covered"),
                self.tr("Customer pays"), self.tr("Note")][section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        line = self._lines[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return (Qt.AlignmentFlag.AlignLeft if col in (self.CAT, self.NOTE)
                    else Qt.AlignmentFlag.AlignRight) | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.ToolTipRole and col in (self.COVERED, self.NOTE):
            return self.note(index.row()) or None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if col == self.CAT:
            return self._label(line.cat)
        if col == self.QTY:
            return str(line.qty)
        if col == self.AMOUNT:
            return format_fen(line.amount)
        if col == self.NOTE:
            return self.note(index.row())
        lq = self._line_quote(index.row())
        if lq is None:
            return "…"
        return format_fen(lq.covered if col == self.COVERED else lq.pays)

    def note(self, row: int) -> str:
        """Why line ``row`` is not or only partly covered ("" when fully covered)."""
        lq = self._line_quote(row)
        if lq is None or lq.covered == lq.line.amount:
            return ""
        if lq.covered == 0:
            return self._reason_text(lq.reason or "limit_reached")
        return self.tr("Partly covered: the limit for this category is reached after {0}"
                       ).format(format_fen(lq.covered))

    def _line_quote(self, row: int) -> Any:
        if self._quote is None or row >= len(self._quote.lines):
            return None
        return self._quote.lines[row]

    def _reason_text(self, reason: str) -> str:
        return {
            "category_not_covered": self.tr("Not covered: this code does not cover this "
                                            "category"),
            "not_active": self.tr("Not covered: the entitlement for this category is not "
                                  "active now"),
            "limit_reached": self.tr("Not covered: the limit for this category is used up"),
        }.get(reason, reason)
