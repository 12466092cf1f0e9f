"""Stuck entries on the counter: a red status-bar button, a list with the server's reason
and what to do, Retry and Export; real server, real engine, real widgets."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from merchant_pos.store import MerchantSettingsStore
from merchant_pos.ui.counter_window import CounterServices
from merchant_pos.ui.labels import Labels
from merchant_pos.ui.status_bar import SyncStatusBar
from merchant_pos.ui.stuck_dialog import StuckEntriesDialog
from merchant_pos.ui.tasks import BackgroundTasks
from merchant_pos.ui.theme import install_translator
from tests.sync.test_bad_entries import edit_payload
from tests.sync.world import PosDevice, ServerWorld


@pytest.fixture
def world(tmp_path: Path) -> Iterator[ServerWorld]:
    server = ServerWorld(tmp_path / "server").start()
    yield server
    server.stop()


@pytest.fixture
def make_pos(tmp_path: Path) -> Iterator[Callable[..., PosDevice]]:
    devices: list[PosDevice] = []

    def make(name: str = "pos") -> PosDevice:
        devices.append(PosDevice(tmp_path / name))
        return devices[-1]

    yield make
    for device in devices:
        device.close()


def _stuck_counter(world: ServerWorld, pos: PosDevice, language: str) -> CounterServices:
    pos.enroll(world.url, world.enrollment_code())
    assert pos.engine.sync_now().ok
    rid = pos.redeem(world.beneficiary_code(), 500)
    assert pos.engine.sync_now().ok
    edit_payload(pos, rid, lambda p: p.update(covered=400), status="pending")  # uuid_reused
    assert pos.engine.sync_now().stuck == 1
    settings = MerchantSettingsStore(pos.ledger)
    profile = settings.load_profile()
    assert profile is not None
    return CounterServices(pos.service, pos.operators, profile,
                           Labels(settings.programs(), language), language, sync=pos.engine)


def test_status_bar_shows_stuck_entries_and_the_list_says_why_and_what_to_do(
    qtbot: QtBot, world: ServerWorld, make_pos: Callable[..., PosDevice], tmp_path: Path
) -> None:
    pos = make_pos()
    services = _stuck_counter(world, pos, "en")
    bar = SyncStatusBar(services, pos.session, BackgroundTasks())
    qtbot.addWidget(bar)
    bar.stop()  # no timer syncs during the test
    bar.show()
    assert not bar.stuck_button.isVisible()
    bar.refresh()
    qtbot.waitUntil(bar.stuck_button.isVisible, timeout=10_000)
    assert bar.stuck_button.text().startswith("1 ")
    if os.environ.get("MPOS_SAVE_SCREENSHOTS"):
        bar.resize(1100, 40)
        bar.grab().save(os.environ["MPOS_SAVE_SCREENSHOTS"] + "/stuck-bar.png")

    dialog = StuckEntriesDialog(services)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=10_000)
    reason = dialog.table.item(0, 3)
    assert "same id but different content" in reason.text()
    assert "already used" in reason.toolTip()  # the server's own words
    assert "Retry" in dialog.intro.text() and "Export" in dialog.intro.text()
    assert dialog.export.isEnabled()
    if os.environ.get("MPOS_SAVE_SCREENSHOTS"):
        dialog.grab().save(os.environ["MPOS_SAVE_SCREENSHOTS"] + "/stuck-en.png")

    target = tmp_path / "out" / "stuck.json"
    dialog.export_to(target)
    qtbot.waitUntil(lambda: "Exported 1" in dialog.message.text(), timeout=10_000)
    assert json.loads(target.read_text(encoding="utf-8"))["contains_beneficiary_codes"]
    dialog.export_to(target)  # a second time: refused, not overwritten
    qtbot.waitUntil(lambda: "already exists" in dialog.message.text(), timeout=10_000)

    dialog.retry_now()
    qtbot.waitUntil(lambda: "Sync not complete" in dialog.message.text(), timeout=30_000)
    qtbot.waitUntil(lambda: dialog.retry.isEnabled(), timeout=10_000)
    assert dialog.table.rowCount() == 1  # still there: nothing dropped
    dialog.close()
    dialog.tasks.wait()
    bar.tasks.wait()


def test_the_list_speaks_chinese(qtbot: QtBot, world: ServerWorld,
                                 make_pos: Callable[..., PosDevice], tmp_path: Path) -> None:
    pos = make_pos()
    services = _stuck_counter(world, pos, "zh_CN")
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translator = install_translator(app, "zh_CN")
    assert translator is not None
    try:
        dialog = StuckEntriesDialog(services)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=10_000)
        assert dialog.windowTitle() == "服务器未接收的记录"
        assert (dialog.retry.text(), dialog.export.text()) == ("重试", "导出…")
        assert "同一编号的记录内容不同" in dialog.table.item(0, 3).text()
        assert "重试" in dialog.intro.text() and "导出" in dialog.intro.text()
        if os.environ.get("MPOS_SAVE_SCREENSHOTS"):
            dialog.grab().save(os.environ["MPOS_SAVE_SCREENSHOTS"] + "/stuck-zh.png")
        dialog.close()
        dialog.tasks.wait()
    finally:
        app.removeTranslator(translator)
