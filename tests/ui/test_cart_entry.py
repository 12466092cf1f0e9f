"""Cart entry: category buttons, typed prices, one-tap standard items."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from merchant_pos.domain.quote import CartLine
from merchant_pos.ui.cart_entry import CartEntry
from merchant_pos.ui.labels import Labels, StandardItem
from tests.ui.conftest import PROGRAMS


def test_standard_item_adds_its_price_times_quantity(qtbot: QtBot) -> None:
    lunch = StandardItem.from_config(
        {"id": "lunch", "cat": "formula", "price": 1200,
         "name": {"zh_CN": "长者午餐", "en": "Senior lunch"}}, "zh_CN")
    assert lunch is not None and lunch.name == "长者午餐"
    other = StandardItem("meal", 500, "not sold here")
    entry = CartEntry(Labels(PROGRAMS), ["formula", "diaper"], [lunch, other])
    qtbot.addWidget(entry)
    buttons = [b for b in entry.findChildren(type(entry.add_button))
               if b.objectName() == "itemButton"]
    assert [b.text() for b in buttons] == ["长者午餐  ¥12.00"]  # only allowed categories
    entry.qty.setValue(2)
    with qtbot.waitSignal(entry.lineAdded) as sig:
        qtbot.mouseClick(buttons[0], Qt.MouseButton.LeftButton)
    assert sig.args[0] == CartLine("formula", 2400, 2)
    assert entry.qty.value() == 1


def test_malformed_items_are_left_out() -> None:
    for raw in ({}, {"cat": "meal", "price": "12", "name": {"zh_CN": "x", "en": "x"}},
                {"cat": "meal", "price": 0, "name": {"zh_CN": "x", "en": "x"}},
                {"cat": "meal", "price": 100, "name": "lunch"}):
        assert StandardItem.from_config(raw, "zh_CN") is None


def test_categories_follow_the_program_order(qtbot: QtBot) -> None:
    entry = CartEntry(Labels(PROGRAMS), ["clothing", "toy", "formula"])
    qtbot.addWidget(entry)
    names = [b.text() for b in entry.group.buttons()]
    assert names == ["奶粉", "衣物", "toy"]
    assert entry.selected_category() == "formula"
