"""Camera to counter: a recorded phone-screen video through the real capture path
ends in the beneficiary's card and a quote, with the UI thread never decoding."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from pytestqt.qtbot import QtBot

from merchant_pos.bench._scan_frames import FrameSpec
from merchant_pos.scan.capture import CameraSource
from merchant_pos.scan.scanner import ScanSettings
from merchant_pos.ui.counter_window import CounterWindow
from merchant_pos.ui.scan_camera import CameraWorker
from tests.scan.conftest import write_video
from tests.support.codes import claims, make_code
from tests.ui.conftest import Shop

SIZE = (640, 480)


def test_video_scan_reaches_the_card(shop: Shop, qtbot: QtBot, tmp_path: Path) -> None:
    code = make_code(shop.key, claims(sub="B-CAM-1", nm="赵*燕"))
    specs = [FrameSpec(i, *SIZE, None) for i in range(10)]
    specs += [FrameSpec(i, *SIZE, code, code_px=320.0, module_px=320.0 / 69, tilt_deg=8.0)
              for i in range(10, 40)]
    video = write_video(tmp_path / "phone.avi", specs)
    camera = CameraWorker(CameraSource(path=video), ScanSettings(decoder="zxing"))
    services = dataclasses.replace(shop.window.services, camera=camera)
    window = CounterWindow(services, shop.window.session)
    qtbot.addWidget(window)
    window.show()
    scans: list[object] = []
    camera.scanned.connect(scans.append)
    try:
        with qtbot.waitSignal(window.quoted, timeout=20_000):
            camera.start()
        assert window.card.name.text() == "赵*燕"
        assert window.code_text == code
        qtbot.waitUntil(lambda: window.preview.frames_shown > 0, timeout=10_000)
    finally:
        window.close()  # stops the camera threads
        QCoreApplication.sendPostedEvents()  # their queued emissions reach `scans` while it lives
        QCoreApplication.processEvents()  # (see stop_and_drain in tests/scan/test_ui_camera.py)
    assert len(scans) == 1  # 30 frames of the same code: one scan
