"""Settings pages on the real window (camera by video file, language), kept across a window
and an app restart; closing with unsent redemptions tries a last, bounded sync."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from pytestqt.qtbot import QtBot

from merchant_pos.app import open_pos
from merchant_pos.bench._scan_frames import FrameSpec
from merchant_pos.store import MerchantSettingsStore
from merchant_pos.store.device_settings import CAMERA, LANGUAGE
from merchant_pos.store.settings import CounterSettings
from merchant_pos.ui.counter_window import CounterServices, CounterWindow
from merchant_pos.ui.labels import Labels
from merchant_pos.ui.settings.camera_page import CameraPage
from merchant_pos.ui.settings.dialog import SettingsDialog
from merchant_pos.ui.settings.setup_pages import LanguagePage, StaffPage
from merchant_pos.ui.staff_dialog import StaffDialog
from merchant_pos.ui.theme import remove_translators
from tests.scan.conftest import write_video
from tests.support.codes import claims, make_code
from tests.sync.world import PosDevice, ServerWorld
from tests.ui.test_staff_lock import Counter, counter  # noqa: F401 (the fixture)

SIZE = (640, 480)


def _open_settings(qtbot: QtBot, window: CounterWindow) -> SettingsDialog:
    window.settings.open()
    qtbot.waitUntil(lambda: isinstance(window.settings.dialog, SettingsDialog),
                    timeout=10_000)
    dialog = window.settings.dialog
    assert isinstance(dialog, SettingsDialog)
    return dialog


def _page(dialog: SettingsDialog, kind: type) -> object:
    return next(p for p in dialog.pages if isinstance(p, kind))


def test_camera_and_language_are_saved_applied_and_kept(
        counter: Counter, qtbot: QtBot, tmp_path: Path,  # noqa: F811
        request: pytest.FixtureRequest) -> None:
    w = counter.window
    code = make_code(counter.key, claims(sub="B-SET-1", nm="赵*燕"))
    specs = [FrameSpec(i, *SIZE, None) for i in range(10)]
    specs += [FrameSpec(i, *SIZE, code, code_px=320.0, module_px=320.0 / 69)
              for i in range(10, 40)]
    video = write_video(tmp_path / "phone.avi", specs)
    dialog = _open_settings(qtbot, w)
    camera = _page(dialog, CameraPage)
    assert isinstance(camera, CameraPage)
    assert camera.camera.itemData(0) == ""  # "none" comes first
    assert dialog.show_page(camera.title())
    camera.camera.setEditText(str(video))
    camera.start_preview()
    qtbot.waitUntil(lambda: camera.preview.frames_shown > 0, timeout=20_000)
    with qtbot.waitSignal(w.quoted, timeout=30_000):  # the new camera scans at once
        with qtbot.waitSignal(w.settings_changed, timeout=10_000) as applied:
            dialog.accept()
        assert set(applied.args[0]) == {CAMERA.key}
    assert camera.worker is None  # the preview stopped with the dialog
    assert w.card.name.text() == "赵*燕"
    assert w.services.camera is not None
    # The language applies at once too, between customers: the window is rebuilt in it.
    w.reset()  # Esc: this customer is done
    dialog = _open_settings(qtbot, w)
    language = _page(dialog, LanguagePage)
    assert isinstance(language, LanguagePage)
    language.language.setCurrentIndex(language.language.findData("zh_CN"))  # it was en
    switch = w.services.extras["language_switch"]
    request.addfinalizer(lambda: remove_translators(QCoreApplication.instance()))  # app-wide
    with qtbot.waitSignal(switch.switched, timeout=20_000) as switched:
        with qtbot.waitSignal(w.settings_changed, timeout=10_000) as applied:
            dialog.accept()
        assert set(applied.args[0]) == {LANGUAGE.key}
    chinese = switched.args[0]  # now Chinese
    assert chinese.services.language == "zh_CN" and chinese.session is w.session
    assert chinese.services.camera is w.services.camera or w.services.camera is None
    assert chinese.services.camera is not None  # the camera carried on
    counter.window = chinese  # the fixture closes this one
    # A new window shows what was saved.
    again = CounterWindow(chinese.services, chinese.session)
    qtbot.addWidget(again)
    dialog = _open_settings(qtbot, again)
    page = _page(dialog, CameraPage)
    assert isinstance(page, CameraPage) and page.chosen_camera() == str(video)
    dialog.reject()
    again.final_sync.done = True
    again.close()
    chinese.services.camera.stop()
    # The app started again on the same folder: no flag needed.
    pos = open_pos(counter.ledger.path.parent, use_keyring=False)
    try:
        start = pos.start_settings()
        assert (start.camera, start.decoder, start.language) == (str(video), "zxing", "zh_CN")
        assert pos.start_settings(camera="0", language="en").camera == "0"
    finally:
        pos.close()
    assert CounterSettings(counter.ledger).get(CAMERA) == str(video)


def test_staff_is_reachable_from_settings(counter: Counter, qtbot: QtBot) -> None:  # noqa: F811
    dialog = _open_settings(qtbot, counter.window)
    page = _page(dialog, StaffPage)
    assert isinstance(page, StaffPage)
    page.open_staff()
    qtbot.waitUntil(lambda: isinstance(page.dialog, StaffDialog), timeout=10_000)
    assert page.dialog is not None
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.table.rowCount() == 1,
                    timeout=10_000)
    assert page.dialog.by.id == counter.window.session.operator.id
    page.dialog.reject()
    dialog.reject()


def _pos_window(qtbot: QtBot, pos: PosDevice) -> CounterWindow:
    profile = MerchantSettingsStore(pos.ledger).load_profile()
    assert profile is not None
    services = CounterServices(pos.service, pos.operators, profile,
                               Labels(MerchantSettingsStore(pos.ledger).programs(), "en"), "en",
                               sync=pos.engine, extras={"show_receipts": False})
    window = CounterWindow(services, pos.session)
    qtbot.addWidget(window)
    window.status.stop()  # no minute timer sync in the way
    window.show()
    return window


def test_closing_uploads_what_is_left(qtbot: QtBot, tmp_path: Path) -> None:
    world = ServerWorld(tmp_path / "server").start()
    pos = PosDevice(tmp_path / "pos")
    try:
        pos.enroll(world.url, world.enrollment_code())
        pos.engine.sync_now()
        rid = pos.redeem(world.beneficiary_code())
        window = _pos_window(qtbot, pos)
        window.status.cancel.clear()
        assert not window.close()  # held back for the last sync
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=20_000)
        assert window.final_sync.pending == 1
        assert pos.outbox()[rid] != "pending"
        assert rid in world.stored()
    finally:
        pos.close()
        world.stop()


def test_closing_offline_says_how_many_and_does_not_hang(qtbot: QtBot, tmp_path: Path) -> None:
    world = ServerWorld(tmp_path / "server").start()
    pos = PosDevice(tmp_path / "pos")
    try:
        pos.enroll(world.url, world.enrollment_code())
        pos.engine.sync_now()
        pos.redeem(world.beneficiary_code())
        pos.redeem(world.beneficiary_code())
        world.stop()  # the internet is gone
        window = _pos_window(qtbot, pos)
        window.final_sync.seconds = 0.2  # the deadline, not the network, ends it
        with qtbot.waitSignal(window.final_sync.counted, timeout=10_000):
            assert not window.close()
        assert "2 redemptions are not uploaded yet" in window.message.text()
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
        assert set(pos.outbox().values()) == {"pending"}  # kept for the next start
    finally:
        pos.close()
