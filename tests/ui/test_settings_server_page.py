"""The settings' server page: "test connection" against the real reference server on
loopback, and against an address where nothing answers."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from merchant_pos.ui.settings.setup_pages import ServerPage
from tests.sync.world import ServerWorld
from tests.ui.conftest import Shop


def _test(qtbot: QtBot, page: ServerPage, url: str) -> str:
    page.url.setText(url)
    page.test_connection()
    qtbot.waitUntil(lambda: page.result.text() not in ("", "Connecting…"), timeout=15_000)
    return page.result.text()


def test_test_connection_says_whether_the_server_answers(qtbot: QtBot, shop: Shop,
                                                         tmp_path: Path) -> None:
    page = ServerPage(shop.window.services)
    qtbot.addWidget(page)
    assert not page.enroll_button.isEnabled()  # re-enrolling needs the app's context
    world = ServerWorld(tmp_path / "server").start()
    try:
        assert _test(qtbot, page, world.url).startswith("连接正常（服务器版本")  # zh_CN shop
    finally:
        world.stop()
    assert _test(qtbot, page, world.url).startswith("无法连接服务器")  # it stopped
