"""Grey frames from the capture (no colour conversion); the rescue budget is in test_rescue."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from merchant_pos.bench._scan_frames import FrameSpec, frame_specs, make_frame
from merchant_pos.scan.capture import CameraSource, CaptureWorker, Frame, FrameSlot
from merchant_pos.scan.decoders import to_gray
from merchant_pos.scan.gray_capture import RawFrames, is_jpeg
from tests.scan.conftest import write_video


def _frames(path: Path, *, preview: bool) -> list[Frame]:
    got: list[Frame] = []
    slot = FrameSlot()
    worker = CaptureWorker(CameraSource(path=path, realtime=False), slot,
                           on_frame=got.append if preview else None)
    if not preview:  # count what reaches the decoder's slot instead
        real_put = slot.put

        def put(frame: Frame) -> None:
            got.append(frame)
            real_put(frame)
        slot.put = put  # type: ignore[method-assign]
    worker.start()
    assert worker.wait_stopped(20)
    return got


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory, bc1_texts: list[str]) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("grey")
    out = {}
    for w, h in ((640, 480), (1280, 720)):
        specs = [FrameSpec(i, w, h, bc1_texts[0], code_px=300.0, module_px=4.3)
                 for i in range(4)]
        out[f"{w}"] = write_video(root / f"clip{w}.avi", specs)
    return out


def test_an_mjpg_video_gives_the_decoder_grey_frames_with_a_colour_preview(
        clips: dict[str, Path]) -> None:
    frames = _frames(clips["1280"], preview=True)
    assert len(frames) == 4
    f = frames[0]
    assert f.gray is not None and f.luma is f.gray and f.gray.shape == (720, 1280)
    assert f.image.shape == (360, 640, 3)  # the 720p preview at half size
    small = cv2.resize(f.gray, (640, 360), interpolation=cv2.INTER_AREA)
    assert float(np.abs(small.astype(int) - to_gray(f.image).astype(int)).mean()) < 3
    # a small stream with a preview is read in colour: one decode, then a conversion
    small_frames = _frames(clips["640"], preview=True)
    assert len(small_frames) == 4
    assert all(f.gray is None and f.image.shape == (480, 640, 3) for f in small_frames)
    assert _frames(clips["640"], preview=False)[0].gray is not None


def test_without_a_preview_no_colour_frame_is_made(clips: dict[str, Path]) -> None:
    frames = _frames(clips["1280"], preview=False)
    assert len(frames) == 4
    assert all(f.gray is not None and f.image is f.gray for f in frames)


def test_grey_capture_can_be_turned_off(clips: dict[str, Path]) -> None:
    slot = FrameSlot()
    got: list[Frame] = []
    worker = CaptureWorker(CameraSource(path=clips["640"], realtime=False), slot,
                           on_frame=got.append, gray=False)
    worker.start()
    assert worker.wait_stopped(20)
    assert got and all(f.gray is None and f.luma is f.image and f.image.ndim == 3 for f in got)


class _Cap:
    def get(self, prop: int) -> float:
        if prop == cv2.CAP_PROP_FOURCC:
            return float(cv2.VideoWriter.fourcc(*"YUYV"))
        return {cv2.CAP_PROP_FRAME_WIDTH: 640.0, cv2.CAP_PROP_FRAME_HEIGHT: 480.0}[prop]


def test_yuyv_frames_give_their_y_bytes_without_a_copy() -> None:
    bgr = make_frame(next(s for s in frame_specs(6) if s.width == 640))
    yuyv = cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_YUYV)
    wants = [True]
    raw = RawFrames(_Cap(), lambda: wants[0], (cv2.CAP_PROP_CONVERT_RGB, 1))  # type: ignore[arg-type]
    assert raw.accepts(yuyv) and not is_jpeg(yuyv)
    image, gray = raw.split(yuyv)
    assert gray is not None and image is not None
    assert np.shares_memory(gray, yuyv) and gray.shape == bgr.shape[:2]
    assert image.shape == bgr.shape
    # the camera's Y is studio range (16-235); the same picture as a grey conversion
    assert float(np.corrcoef(gray.ravel(), to_gray(bgr).ravel())[0, 1]) > 0.99
    wants[0] = False
    image, gray = raw.split(yuyv)
    assert image is gray


def test_what_is_neither_jpeg_nor_yuyv_nor_grey_is_refused() -> None:
    raw = RawFrames(_Cap(), lambda: True, (cv2.CAP_PROP_CONVERT_RGB, 1))  # type: ignore[arg-type]
    assert not raw.accepts(np.zeros((1, 100), np.uint8))  # one row, no JPEG marker
    assert not raw.accepts(np.zeros((4, 4), np.float32))
    assert not raw.accepts(np.zeros((480, 1280), np.uint8))  # packed bytes, not grey
    assert raw.accepts(np.zeros((480, 640), np.uint8))
    assert raw.split(np.array([[0xFF, 0xD8, 0, 0, 0]], np.uint8)) == (None, None)
