"""The capture thread and the newest-frame slot, without a camera attached."""

from __future__ import annotations

import itertools
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from merchant_pos.scan.capture import CameraSource, CameraState, CaptureWorker, Frame, FrameSlot
from merchant_pos.scan.messages import ScanMessage


def frame(seq: int) -> Frame:
    return Frame(seq, np.zeros((2, 2, 3), np.uint8), float(seq))


def test_the_slot_hands_out_only_the_newest_frame_and_counts_the_dropped() -> None:
    slot = FrameSlot()
    for seq in (1, 2, 3):
        slot.put(frame(seq))
    got = slot.take(timeout=0)
    assert got is not None and got.seq == 3
    assert slot.dropped == 2
    assert slot.take(timeout=0) is None  # nothing newer: no re-decoding of a stale frame
    slot.put(frame(4))
    got = slot.take(timeout=0)
    assert got is not None and got.seq == 4
    assert slot.dropped == 2


def test_closing_the_slot_wakes_a_waiting_decoder() -> None:
    slot = FrameSlot()
    result: list[Frame | None] = []
    waiting = threading.Thread(target=lambda: result.append(slot.take(timeout=10)))
    waiting.start()
    slot.close()
    waiting.join(2)
    assert not waiting.is_alive() and result == [None]


class StateLog:
    def __init__(self) -> None:
        self.states: list[CameraState] = []
        self.cond = threading.Condition()

    def __call__(self, state: CameraState, detail: str) -> None:
        with self.cond:
            self.states.append(state)
            self.cond.notify_all()

    def wait_for(self, state: CameraState, count: int = 1, timeout: float = 10) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: self.states.count(state) >= count, timeout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="device nodes are Linux")
def test_a_missing_camera_is_reported_retried_and_stops_cleanly() -> None:
    log = StateLog()
    worker = CaptureWorker(CameraSource(index=97), FrameSlot(), on_state=log)
    worker.start()
    try:
        assert log.wait_for(CameraState.MISSING, count=2), log.states  # tried again
        assert worker.running  # still trying, and the rest of the app keeps working
    finally:
        assert worker.stop(timeout=3)
    assert log.states[0] is CameraState.STARTING
    assert log.states[-1] is CameraState.STOPPED
    assert CameraState.MISSING.message is ScanMessage.CAMERA_MISSING


def test_a_camera_chosen_by_an_unknown_name_is_missing() -> None:
    log = StateLog()
    worker = CaptureWorker(CameraSource(name="No Such Webcam HD"), FrameSlot(), on_state=log)
    worker.start()
    try:
        assert log.wait_for(CameraState.MISSING)
    finally:
        assert worker.stop(timeout=3)


def test_a_missing_video_file_is_missing_and_not_retried(tmp_path: Path) -> None:
    log = StateLog()
    worker = CaptureWorker(CameraSource(path=tmp_path / "none.avi"), FrameSlot(), on_state=log)
    worker.start()
    assert worker.wait_stopped(5)
    assert log.states == [CameraState.STARTING, CameraState.MISSING, CameraState.STOPPED]


def test_a_file_that_is_not_a_video_is_missing(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.avi"
    bogus.write_bytes(b"not a video" * 100)
    log = StateLog()
    worker = CaptureWorker(CameraSource(path=bogus), FrameSlot(), on_state=log)
    worker.start()
    assert worker.wait_stopped(5)
    assert CameraState.MISSING in log.states and log.states[-1] is CameraState.STOPPED


@pytest.mark.parametrize(
    ("setting", "expected"),
    [("0", CameraSource(index=0)), ("2", CameraSource(index=2)),
     ("USB2.0 HD UVC WebCam", CameraSource(name="USB2.0 HD UVC WebCam"))],
)
def test_camera_setting_parsing(setting: str, expected: CameraSource) -> None:
    assert CameraSource.parse(setting) == expected


def test_a_file_setting_is_a_video_source(tmp_path: Path) -> None:
    video = tmp_path / "clip.avi"
    video.write_bytes(b"x")
    assert CameraSource.parse(str(video)).path == video


def test_a_bad_frame_or_a_failing_listener_never_kills_the_decode_thread(
    bc1_texts: list[str],
) -> None:
    from merchant_pos.scan.debounce import Debouncer
    from merchant_pos.scan.decoders import FramePipeline, make_decoder
    from merchant_pos.scan.scanner import DecodeWorker
    from tests.scan.conftest import on_canvas, qr_gray

    events: list[str] = []

    def listener(event: object) -> None:
        events.append(getattr(event, "text", ""))
        if len(events) == 1:
            raise RuntimeError("a listener bug")

    slot = FrameSlot()
    decoder, _ = make_decoder()
    ticks = itertools.count()  # every sighting a new moment: no debouncing here
    worker = DecodeWorker(slot, FramePipeline(decoder), Debouncer(0.0, ticks.__next__), listener)
    worker.start()
    try:
        slot.put(Frame(1, np.zeros((4, 4, 2), np.uint8), 0.0))  # to_gray raises on it
        assert worker.wait_decoded(1, timeout=5)
        good = on_canvas(qr_gray(bc1_texts[0], module_px=4))
        slot.put(Frame(2, good, 0.0))
        assert worker.wait_decoded(2, timeout=5)
        assert worker.running
        slot.put(Frame(3, good.copy(), 0.0))  # the same code again: debounce is off
        assert worker.wait_decoded(3, timeout=5)
        assert worker.running
    finally:
        assert worker.stop(timeout=3)
    assert events == [bc1_texts[0], bc1_texts[0]]  # the listener's exception lost nothing else
