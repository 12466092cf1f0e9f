"""The 日结 window's tables: the totals (a titled block per grouping) and plain rows of
text (adjustments, time-flagged entries)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from merchant_pos.domain.money import format_fen
from merchant_pos.reports.daily import Totals

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


@dataclass(frozen=True)
class TotalsRow:
    kind: str            # "group" (a title row), "row" or "total"
    group: str           # program, category, status, operator, total, net
    key: str             # the program / category / status code, the clerk's name
    label: str
    totals: Totals | None


class TextTableModel(QAbstractTableModel):
    """Rows of text under headers (adjustments, time-flagged entries)."""

    def __init__(self, headers: list[str], parent: Any = None) -> None:
        super().__init__(parent)
        self.headers = headers
        self.rows: list[Any] = []  # lists of text here; TotalsRow in the totals

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role == Qt.ItemDataRole.DisplayRole:
            return self.rows[index.row()][index.column()]
        return None


class TotalsModel(TextTableModel):
    """The 日结's totals: one titled block per grouping, then the day's total."""

    COLUMNS = 7

    def __init__(self, parent: Any = None) -> None:
        super().__init__([], parent)
        self.headers = [self.tr("Item"), self.tr("Count"), self.tr("Total"),
                        self.tr("Covered"), self.tr("Customer paid"),
                        self.tr("Reimbursable"), self.tr("Awaiting")]

    def row_of(self, group: str, key: str) -> int:
        return next(i for i, r in enumerate(self.rows) if (r.group, r.key) == (group, key)
                    and r.kind != "group")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row: TotalsRow = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.FontRole and row.kind != "row":
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and col > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if col == 0:
            return row.label if row.kind == "group" else f"  {row.label}"
        t = row.totals
        if t is None:
            return ""
        return [str(t.count), format_fen(t.total), format_fen(t.covered), format_fen(t.paid),
                format_fen(t.reimbursable), format_fen(t.awaiting)][col - 1]
