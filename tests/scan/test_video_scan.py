"""A recorded video fed through the same capture path as a webcam gives
exactly the expected scan events, once each."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest

from merchant_pos.bench._scan_frames import FrameSpec, make_frame
from merchant_pos.scan.capture import CameraSource, CameraState, Frame
from merchant_pos.scan.classify import CodeKind, ScanEvent, ScanSource
from merchant_pos.scan.decoders import PYZBAR, ZXING
from merchant_pos.scan.scanner import ScanService, ScanSettings

FPS = 30
SIZE = (640, 480)
URL = "https://pay.example.com/qr/8842-1192"
DEBOUNCE_S = 1.0


@dataclass(frozen=True)
class Video:
    path: Path
    frames: int
    expected: list[tuple[str, CodeKind]]


def _segment(first: int, count: int, text: str | None, **look: object) -> list[FrameSpec]:
    specs = []
    for i in range(first, first + count):
        if text is None:
            specs.append(FrameSpec(i, *SIZE, None))
            continue
        rng = np.random.default_rng(i)  # moving and tilting from frame to frame
        code_px = float(look.get("code_px", 300.0))
        specs.append(FrameSpec(
            i, *SIZE, text, code_px=code_px, module_px=code_px / 69,
            tilt_deg=float(rng.uniform(0, 20)), blur_modules=float(rng.uniform(0, 0.3)),
            dark_mode=bool(look.get("dark_mode", False)), glare=bool(i % 5 == 0),
        ))
    return specs


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory, bc1_texts: list[str]) -> Video:
    a, b = bc1_texts[0], bc1_texts[1]
    plan: list[tuple[int, str | None, dict[str, object]]] = [
        (10, None, {}),
        (20, a, {}),  # A held up, moving and tilted
        (4, None, {}),  # A lost for 0.13 s (a hand, a reflection) ...
        (10, a, {}),  # ... and back: still the same scan
        (60, None, {}),  # 2 s without a code: well over the debounce window
        (12, URL, {"code_px": 200.0}),  # a payment link: "not a beneficiary code"
        (16, b, {"dark_mode": True}),  # another customer, dark-mode phone
        (12, a, {}),  # the first customer again, after the window: a new scan
        (10, None, {}),
    ]
    specs: list[FrameSpec] = []
    for count, text, look in plan:
        specs += _segment(len(specs), count, text, **look)
    path = tmp_path_factory.mktemp("video") / "counter.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), FPS, SIZE)
    assert writer.isOpened()
    for spec in specs:
        writer.write(make_frame(spec, seed=5))
    writer.release()
    expected = [(a, CodeKind.BENEFICIARY), (URL, CodeKind.OTHER),
                (b, CodeKind.BENEFICIARY), (a, CodeKind.BENEFICIARY)]
    return Video(path, len(specs), expected)


@pytest.mark.parametrize("decoder", [ZXING, PYZBAR])
def test_the_video_gives_exactly_the_expected_scans_once_each(video: Video, decoder: str) -> None:
    events: list[ScanEvent] = []
    states: list[CameraState] = []
    previews: list[Frame] = []
    service = ScanService(
        CameraSource(path=video.path),
        ScanSettings(decoder=decoder, debounce_s=DEBOUNCE_S),
        on_scan=events.append,
        on_state=lambda state, detail: states.append(state),
        on_frame=previews.append,
    )
    service.start()
    try:
        assert service.wait_capture_ended(timeout=30)
        assert service.drain(timeout=5)
    finally:
        assert service.stop(timeout=3)
    assert [(e.text, e.kind) for e in events] == video.expected
    assert all(e.source is ScanSource.CAMERA for e in events)
    assert events[1].message is not None  # the clerk is told, not left in silence
    assert states[:2] == [CameraState.STARTING, CameraState.RUNNING]
    assert CameraState.ENDED in states and states[-1] is CameraState.STOPPED
    # every frame reached the preview; the decoder saw some of each segment (how many
    # depends on the machine's speed: stale frames are dropped, not queued)
    assert len(previews) == video.frames
    assert previews[0].image.shape == (*SIZE[::-1], 3)
    assert len(video.expected) <= service.stats.frames_decoded <= video.frames
    assert service.decoder_failures == 0


def test_a_slow_listener_makes_the_decoder_drop_stale_frames_not_queue_them(
    video: Video,
) -> None:
    events: list[ScanEvent] = []
    release = threading.Event()

    def slow(event: ScanEvent) -> None:  # e.g. a UI that is busy for a moment
        events.append(event)
        release.wait(0.5)

    # unpaced: the file is read as fast as it decodes, faster than decoding
    source = CameraSource(path=video.path, realtime=False)
    service = ScanService(source, ScanSettings(debounce_s=DEBOUNCE_S), on_scan=slow)
    service.start()
    try:
        assert service.wait_capture_ended(timeout=30)
        assert service.drain(timeout=5)
    finally:
        release.set()
        assert service.stop(timeout=3)
    assert service.slot.dropped > 0
    assert service.stats.frames_decoded + service.slot.dropped <= service.capture.frames_read
    assert [e.text for e in events][:1] == [video.expected[0][0]]


def test_stopping_mid_video_ends_both_threads_promptly(video: Video) -> None:
    got_frame = threading.Event()
    service = ScanService(
        CameraSource(path=video.path), on_scan=lambda e: None,
        on_frame=lambda f: got_frame.set(),
    )
    service.start()
    assert got_frame.wait(10)
    assert service.stop(timeout=2)
    assert not service.capture.running and not service.decoding.running
    assert service.state is CameraState.STOPPED
