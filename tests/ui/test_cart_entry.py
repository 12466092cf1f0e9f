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
    # Only allowed categories; each button shows its key.
    assert [b.text() for b in buttons] == ["长者午餐  ¥12.00 (F5)"]
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
    assert names == ["奶粉 (F1)", "衣物 (F2)", "toy (F3)"]
    assert entry.selected_category() == "formula"


def test_function_keys_pick_categories_items_and_quantity(qtbot: QtBot) -> None:
    lunch = StandardItem("formula", 1200, "午餐")
    entry = CartEntry(Labels(PROGRAMS), ["formula", "clothing"], [lunch])
    qtbot.addWidget(entry)
    with qtbot.waitActive(entry):
        entry.show()
        entry.activateWindow()
    entry.amount.setFocus()
    qtbot.keyClick(entry.amount, Qt.Key.Key_F2)
    assert entry.selected_category() == "clothing"
    qtbot.keyClick(entry.amount, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(entry.amount, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(entry.amount, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert entry.qty.value() == 2
    with qtbot.waitSignal(entry.lineAdded) as sig:
        qtbot.keyClick(entry.amount, Qt.Key.Key_F5)
    assert sig.args[0] == CartLine("formula", 2400, 2)
    # Bare digits, letters, + and - are the scanner's characters: they only type.
    for key in (Qt.Key.Key_1, Qt.Key.Key_A, Qt.Key.Key_Plus, Qt.Key.Key_Minus):
        qtbot.keyClick(entry.amount, key)
    assert entry.selected_category() == "clothing" and entry.qty.value() == 1
    assert entry.amount.text() == "1a+-"
