"""Connecting a counter through the dialog, against the real reference server on loopback."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from merchant_pos.app import open_pos
from merchant_pos.server.demo_seed import seed_demo
from merchant_pos.server.embedded import EmbeddedServer
from merchant_pos.ui.enroll_dialog import EnrollDialog


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[tuple[str, Any]]:
    server = EmbeddedServer(f"sqlite:///{tmp_path / 'server.sqlite3'}")
    url = server.start()
    assert server.engine is not None
    seed = seed_demo(server.engine, now=int(time.time()))
    yield url, seed
    server.stop()


def test_enroll_then_the_counter_is_configured(qtbot: QtBot, tmp_path: Path,
                                               demo_server: tuple[str, Any]) -> None:
    url, seed = demo_server
    ctx = open_pos(tmp_path / "pos", use_keyring=False)
    try:
        dialog = EnrollDialog(ctx, "zh_CN")
        qtbot.addWidget(dialog)
        dialog.url.setText(url)
        dialog.code.setText("WRONG-CODE")
        dialog.enroll()
        qtbot.waitUntil(lambda: dialog.buttons.isEnabled(), timeout=15_000)
        assert dialog.error.text() and "Connecting" not in dialog.error.text()
        assert ctx.settings.load_profile() is None
        dialog.code.setText(seed.enrollment_codes["clinic-01"])
        with qtbot.waitSignal(dialog.accepted, timeout=30_000):
            dialog.enroll()
        profile = ctx.settings.load_profile()
        assert profile is not None and profile.merchant_id == "clinic-01"
        assert ctx.sync is not None and ctx.sync.tokens.load() is not None
    finally:
        ctx.close()
