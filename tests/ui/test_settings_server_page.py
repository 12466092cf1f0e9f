"""The settings' server page: "test connection" against the real reference server on
loopback, and against an address where nothing answers; re-enrolling to another server."""

from __future__ import annotations

import time
from pathlib import Path

from pytestqt.qtbot import QtBot

from merchant_pos.app import open_pos
from merchant_pos.server.demo_seed import seed_demo
from merchant_pos.server.embedded import EmbeddedServer
from merchant_pos.sync.enrollment import enroll_device
from merchant_pos.ui.counter_app import counter_services
from merchant_pos.ui.enroll_dialog import EnrollDialog
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


def test_re_enroll_moves_the_counter_to_another_server(qtbot: QtBot, tmp_path: Path) -> None:
    servers = [EmbeddedServer(f"sqlite:///{tmp_path / f'server{i}.sqlite3'}") for i in (1, 2)]
    urls = [s.start() for s in servers]
    seeds = [seed_demo(s.engine, now=int(time.time())) for s in servers]  # type: ignore[arg-type]
    ctx = open_pos(tmp_path / "pos", use_keyring=False)
    try:
        assert ctx.sync is not None
        enroll_device(ctx.sync.ledger, ctx.sync.tokens, urls[0],
                      seeds[0].enrollment_codes["clinic-01"], "", clock=ctx.clock)
        assert ctx.sync.sync_now().ok
        page = ServerPage(counter_services(ctx, "en"))
        qtbot.addWidget(page)
        assert page.enroll_button.isEnabled()
        page.url.setText(urls[1])
        page.enroll_button.click()
        dialog = page.findChild(EnrollDialog)
        assert dialog is not None and dialog.url.text() == urls[1]
        dialog.code.setText(seeds[1].enrollment_codes["canteen-01"])
        with qtbot.waitSignal(dialog.accepted, timeout=30_000):
            dialog.enroll()
        assert page.result.text().startswith("Connected. Restart the counter")
        profile = ctx.settings.load_profile()
        assert profile is not None and profile.merchant_id == "canteen-01"
        assert ctx.sync.tokens.load() is not None
    finally:
        ctx.close()
        for s in servers:
            s.stop()
