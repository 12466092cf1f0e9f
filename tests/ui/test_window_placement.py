"""The counter opens at the screen's available size, maximised on small screens (issue 10)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from merchant_pos.ui import counter_app
from tests.ui.conftest import Shop


def test_a_small_screen_opens_the_counter_maximised(
    shop: Shop, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen = QGuiApplication.primaryScreen()
    assert screen is not None
    area = screen.availableGeometry()
    monkeypatch.setattr(counter_app, "SMALL_SCREEN", (area.width(), area.height()))
    counter_app.show_on_screen(shop.window)
    qtbot.waitUntil(shop.window.isVisible, timeout=5000)
    assert shop.window.isMaximized()


def test_a_large_screen_opens_the_window_at_its_available_size(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A plain widget: the offscreen screen (800x800) is narrower than the counter's minimum.
    screen = QGuiApplication.primaryScreen()
    assert screen is not None
    area = screen.availableGeometry()
    monkeypatch.setattr(counter_app, "SMALL_SCREEN", (area.width() - 1, area.height() - 1))
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(320, 240)
    counter_app.show_on_screen(window)
    qtbot.waitUntil(window.isVisible, timeout=5000)
    assert not window.isMaximized()
    assert window.size() == area.size()  # (the offscreen platform adds a 2 px frame offset)
