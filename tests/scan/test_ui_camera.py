"""The Qt camera worker and preview, on a real video through the capture path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from merchant_pos.bench._scan_frames import FrameSpec
from merchant_pos.scan.capture import CameraSource, CameraState
from merchant_pos.scan.classify import CodeKind, ScanEvent
from merchant_pos.scan.messages import ScanMessage, message
from merchant_pos.ui.scan_camera import CameraWorker, qimage_over
from merchant_pos.ui.scan_preview import ScanPreview
from tests.scan.conftest import write_video

SIZE = (640, 480)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory, bc1_texts: list[str]) -> Path:
    """1 s without a code, then 1 s of a BC1 code held up."""
    specs = [FrameSpec(i, *SIZE, None) for i in range(30)]
    specs += [
        FrameSpec(i, *SIZE, bc1_texts[0], code_px=300.0, module_px=4.3, tilt_deg=(i % 7) * 3.0)
        for i in range(30, 60)
    ]
    return write_video(tmp_path_factory.mktemp("clip") / "clip.avi", specs)


def stop_and_drain(worker: CameraWorker) -> bool:
    """Stop the camera threads, then deliver what they emitted before they
    ended, while this test's slots (pytest-qt's signal blockers, lambdas) are
    still alive. The worker emits from Python threads, so each emission is a
    queued call; PySide6 6.12 still delivers a queued call to a bound method
    after it was disconnected, and once the test has returned its blocker is
    freed: the late call then crashes the interpreter (seen in CI: SIGSEGV in
    ``SignalBlocker._quit_loop_by_signal``; here one run in two)."""
    stopped = worker.stop()
    QCoreApplication.sendPostedEvents()
    QCoreApplication.processEvents()
    return stopped


@pytest.fixture
def english() -> Iterator[None]:
    old = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    yield
    QLocale.setDefault(old)


def test_qimage_shares_the_numpy_buffer() -> None:
    frame = np.zeros((48, 64, 3), np.uint8)
    frame[5, 7] = (10, 20, 200)  # B, G, R
    image = qimage_over(frame)
    assert image.format() == QImage.Format.Format_BGR888
    assert np.frombuffer(image.constBits(), np.uint8).ctypes.data == frame.ctypes.data
    assert image.pixelColor(7, 5).getRgb()[:3] == (200, 20, 10)
    frame[5, 7] = (0, 0, 0)  # the image sees the change: no copy was made
    assert image.pixelColor(7, 5).getRgb()[:3] == (0, 0, 0)
    with pytest.raises(ValueError):
        qimage_over(frame[:, ::2])


def test_the_worker_scans_and_previews_without_copies(
    qtbot: QtBot, clip: Path, bc1_texts: list[str], english: None
) -> None:
    worker = CameraWorker(CameraSource(path=clip))
    states: list[tuple[str, str]] = []
    worker.stateChanged.connect(lambda s, m: states.append((s, m)))
    previews = []
    worker.previewReady.connect(lambda: previews.append(worker.take_preview()))
    try:
        with qtbot.waitSignal(worker.scanned, timeout=10_000) as scan:
            worker.start()
    finally:
        assert stop_and_drain(worker)
    event = scan.args[0]
    assert isinstance(event, ScanEvent)
    assert event.text == bc1_texts[0] and event.kind is CodeKind.BENEFICIARY
    shown = [p for p in previews if p is not None]
    assert len(shown) >= 10
    p = shown[-1]
    assert p.image.format() == QImage.Format.Format_BGR888
    assert (p.image.width(), p.image.height()) == SIZE
    assert np.frombuffer(p.image.constBits(), np.uint8).ctypes.data == p.frame.image.ctypes.data
    assert (CameraState.RUNNING.value, message(ScanMessage.CAMERA_READY, "en")) in states


def test_preview_signals_never_pile_up_behind_a_busy_ui(qtbot: QtBot, clip: Path) -> None:
    worker = CameraWorker(CameraSource(path=clip, realtime=False))
    offered: list[int] = []
    worker.previewReady.connect(lambda: offered.append(1))  # a UI that never takes them
    worker.start()
    try:
        assert worker.service.wait_capture_ended(10)
    finally:
        assert stop_and_drain(worker)
    qtbot.waitUntil(lambda: len(offered) >= 1)
    QCoreApplication.processEvents()  # deliver any further queued signals (there must be none)
    assert len(offered) == 1  # 60 frames, one offer: the newest frame waits
    taken = worker.take_preview()
    assert taken is not None and taken.frame.seq == worker.service.capture.frames_read
    assert worker.take_preview() is None


def test_state_messages_follow_the_ui_language(qtbot: QtBot, tmp_path: Path) -> None:
    old = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    try:
        worker = CameraWorker(CameraSource(path=tmp_path / "no-camera.avi"))
        with qtbot.waitSignal(
            worker.stateChanged, timeout=5000,
            check_params_cb=lambda s, m: s == CameraState.MISSING.value,
        ) as missing:
            worker.start()
        assert stop_and_drain(worker)
    finally:
        QLocale.setDefault(old)
    assert missing.args[1] == message(ScanMessage.CAMERA_MISSING, "zh_CN")


def test_preview_renders_frames_and_states(
    qtbot: QtBot, clip: Path, tmp_path: Path, english: None
) -> None:
    preview = ScanPreview()
    qtbot.addWidget(preview)
    preview.resize(640, 400)
    worker = CameraWorker(CameraSource(path=clip))
    preview.attach(worker)
    worker.start()
    try:
        qtbot.waitUntil(lambda: preview.frames_shown >= 40, timeout=10_000)
    finally:
        assert worker.stop()  # the preview (a QObject) gets the camera's last state later
    shot = preview.grab().toImage()
    assert shot.save(str(tmp_path / "preview.png"))
    centre = shot.pixelColor(320, 150)
    assert centre.getRgb()[:3] != (38, 40, 44)  # a frame is drawn, not the empty backdrop
    preview.set_state(CameraState.UNPLUGGED.value, message(ScanMessage.CAMERA_UNPLUGGED, "en"))
    assert "disconnected" in preview.banner_text
    preview.show_notice(message(ScanMessage.NOT_BENEFICIARY_CODE, "en"))
    assert "not a beneficiary code" in preview.banner_text
    assert preview.grab().toImage().pixelColor(320, 150).getRgb()[:3] == (38, 40, 44)
