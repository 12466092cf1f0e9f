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
    # Why a line is not covered is written in the line itself, not only in a tooltip.
    assert _text(model, 1, model.NOTE) == tip
    assert _text(model, 0, model.NOTE) == ""  # fully covered: nothing to say
    # A quote for other lines (a stale answer) is not shown.
    model.remove_row(1)
    model.set_quote(q)
    assert model.quote is None and _text(model, 0, model.COVERED) == "…"
    qtmodeltester.check(model)


def test_a_partly_covered_line_says_so(qtmodeltester: ModelTester) -> None:
    model = CartTableModel()
    model.add_line(CartLine("formula", 30000))  # four 50-yuan vouchers: 200 of 300
    model.set_quote(quote(claims(ent=BABY_VOUCHERS), NOW, model.lines()))
    assert "¥200.00" in _text(model, 0, model.NOTE) and "Partly" in _text(model, 0, model.NOTE)
    qtmodeltester.check(model)
