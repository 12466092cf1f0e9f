"""The cart table model, tested without any window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from merchant_pos.domain.quote import CartLine, quote
from merchant_pos.ui.cart_model import CartTableModel
from tests.support.codes import BABY_VOUCHERS, NOW, claims


def _text(model: CartTableModel, row: int, col: int) -> str:
    return str(model.data(model.index(row, col), Qt.ItemDataRole.DisplayRole))


def test_lines_quote_and_stale_quotes(qtmodeltester: ModelTester) -> None:
    model = CartTableModel({"formula": "奶粉"}.get)  # type: ignore[arg-type]
    qtmodeltester.check(model)
    model.add_line(CartLine("formula", 16800))
    model.add_line(CartLine("toy", 900))
    assert model.rowCount() == 2 and model.total() == 17700
    assert _text(model, 0, model.CAT) == "奶粉"
    assert _text(model, 0, model.COVERED) == "…"  # no quote yet
    c = claims(ent=BABY_VOUCHERS)
    q = quote(c, NOW, model.lines())
    model.set_quote(q)
    assert _text(model, 0, model.COVERED) == "¥168.00"
    assert _text(model, 1, model.PAYS) == "¥9.00"
    tip = model.data(model.index(1, model.COVERED), Qt.ItemDataRole.ToolTipRole)
    assert tip and "category" in tip
    # A quote for other lines (a stale answer) is not shown.
    model.remove_row(1)
    model.set_quote(q)
    assert model.quote is None and _text(model, 0, model.COVERED) == "…"
    qtmodeltester.check(model)
