"""Camera capture on a worker thread, through OpenCV ``VideoCapture``.

A webcam (by index or by name) and a video file go through the same code,
so tests and the benchmark feed recorded video exactly as a camera would.
Frames go to listeners as they arrive (the preview) and into a
:class:`FrameSlot` that keeps only the newest one (the decoder).
A camera that is missing, busy or unplugged mid-use is reported as a state
and retried; the thread never dies of it.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import cv2
import numpy as np

from merchant_pos.scan.gray_capture import RawFrames, raw_frames
from merchant_pos.scan.messages import ScanMessage

log = logging.getLogger(__name__)

REQUESTED_SIZE = (1280, 720)
RETRY_DELAYS_S = (0.5, 1.0, 2.0, 3.0)  # then every 3 s
MAX_FAILED_READS = 15  # consecutive failed reads of an open camera = unplugged


class CameraState(StrEnum):
    STARTING = "starting"
    RUNNING = "running"
    MISSING = "missing"
    BUSY = "busy"
    UNPLUGGED = "unplugged"
    ENDED = "ended"  # a video file played to its end
    STOPPED = "stopped"

    @property
    def message(self) -> ScanMessage:
        return _STATE_MESSAGES[self]


_STATE_MESSAGES = {
    CameraState.STARTING: ScanMessage.CAMERA_STARTING,
    CameraState.RUNNING: ScanMessage.CAMERA_READY,
    CameraState.MISSING: ScanMessage.CAMERA_MISSING,
    CameraState.BUSY: ScanMessage.CAMERA_BUSY,
    CameraState.UNPLUGGED: ScanMessage.CAMERA_UNPLUGGED,
    CameraState.ENDED: ScanMessage.VIDEO_ENDED,
    CameraState.STOPPED: ScanMessage.CAMERA_STOPPED,
}


@dataclass(frozen=True, slots=True)
class CameraSource:
    """Where frames come from: a camera index, a camera name, or a video file.

    ``realtime`` paces a video file at its own frame rate, as a camera
    would deliver it; ``loop`` restarts it at the end (long runs).
    """

    index: int | None = None
    name: str | None = None
    path: Path | None = None
    realtime: bool = True
    loop: bool = False

    @classmethod
    def parse(cls, setting: str) -> CameraSource:
        """From a setting: ``"0"`` (index), a file path, or a camera name."""
        setting = setting.strip()
        if setting.isdigit():
            return cls(index=int(setting))
        if Path(setting).is_file():
            return cls(path=Path(setting))
        return cls(name=setting)

    @property
    def is_file(self) -> bool:
        return self.path is not None

    def describe(self) -> str:
        if self.path is not None:
            return str(self.path)
        return self.name if self.name is not None else f"camera {self.index or 0}"


@dataclass(frozen=True, slots=True)
class Frame:
    """One captured frame; its arrays are never written to after capture.

    ``image`` is what the preview shows (BGR; grey when the capture gave no
    colour or no preview asked for it; at most ``PREVIEW_MAX_WIDTH`` wide when
    the capture decodes its own JPEG). ``gray`` is the full-resolution grey
    frame when the capture produced it without a conversion (the Y plane of
    the camera's YUYV or JPEG data), else None.
    """

    seq: int
    image: np.ndarray
    at: float  # time.monotonic() when captured
    gray: np.ndarray | None = None

    @property
    def luma(self) -> np.ndarray:
        """What the decoder reads: the capture's grey frame, else the image."""
        return self.gray if self.gray is not None else self.image


class FrameSlot:
    """Holds the newest frame only. ``put`` replaces; ``take`` waits for a
    frame newer than the last one taken. Stale frames are dropped, never queued."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._frame: Frame | None = None
        self._taken_seq = -1
        self._closed = False
        self.dropped = 0

    def put(self, frame: Frame) -> None:
        with self._cond:
            if self._frame is not None and self._frame.seq > self._taken_seq:
                self.dropped += 1
            self._frame = frame
            self._cond.notify_all()

    def take(self, timeout: float | None = None) -> Frame | None:
        """The newest untaken frame, or None on timeout or when closed."""
        with self._cond:
            ready = self._cond.wait_for(
                lambda: self._closed or (
                    self._frame is not None and self._frame.seq > self._taken_seq),
                timeout,
            )
            if not ready or self._closed or self._frame is None:
                return None
            self._taken_seq = self._frame.seq
            frame, self._frame = self._frame, None
            return frame

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def reopen(self) -> None:
        with self._cond:
            self._closed = False


FrameListener = Callable[[Frame], None]
StateListener = Callable[[CameraState, str], None]


def camera_names() -> dict[str, int]:
    """Names of the attached cameras and their indexes (Linux: from sysfs).

    Other systems have no name list in OpenCV; choose those cameras by index.
    """
    names: dict[str, int] = {}
    root = Path("/sys/class/video4linux")
    if not root.is_dir():
        return names
    for dev in sorted(root.glob("video*")):
        try:
            index = int(dev.name.removeprefix("video"))
            name = (dev / "name").read_text(encoding="utf-8").strip()
        except (OSError, ValueError):
            continue
        names.setdefault(name, index)  # the first node of a camera is its capture node
    return names


def _backend() -> int:
    if sys.platform == "win32":
        return int(cv2.CAP_DSHOW)  # opens fast; MSMF takes seconds on many webcams
    if sys.platform == "darwin":
        return int(cv2.CAP_AVFOUNDATION)
    return int(cv2.CAP_V4L2)


class CaptureWorker:
    """Reads frames on its own thread until stopped; never raises out of it."""

    def __init__(
        self,
        source: CameraSource,
        slot: FrameSlot,
        *,
        on_frame: FrameListener | None = None,
        on_state: StateListener | None = None,
        requested_size: tuple[int, int] = REQUESTED_SIZE,
        gray: bool = True,
    ) -> None:
        self.source = source
        self.slot = slot
        self.on_frame = on_frame
        self.on_state = on_state
        self.requested_size = requested_size
        self.state = CameraState.STOPPED
        self.frames_read = 0
        self.gray = gray  # ask the capture for its undecoded frames, decode them to grey here
        self._raw: RawFrames | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- control -----------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="scan-capture", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 3.0) -> bool:
        """Stop and join; True if the thread ended within ``timeout``."""
        self._stop.set()
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait_stopped(self, timeout: float | None = None) -> bool:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    # -- the thread ----------------------------------------------------------
    def _set_state(self, state: CameraState, detail: str = "") -> None:
        if state is self.state and not detail:
            return
        self.state = state
        log.info("camera %s: %s %s", self.source.describe(), state.value, detail)
        if self.on_state is not None:
            try:
                self.on_state(state, detail)
            except Exception:
                log.exception("camera state listener failed")

    def _run(self) -> None:
        attempt = 0
        lost = False  # was running and went away: keep saying "unplugged"
        try:
            while not self._stop.is_set():
                if attempt == 0 and not lost:
                    self._set_state(CameraState.STARTING)
                try:
                    cap, failure = self._open()
                except cv2.error:  # a driver error while opening: retry like a busy camera
                    log.warning("opening %s failed", self.source.describe(), exc_info=True)
                    cap, failure = None, CameraState.BUSY
                if cap is None:
                    if lost and failure is CameraState.MISSING:
                        failure = CameraState.UNPLUGGED
                    self._set_state(failure, self.source.describe())
                    if self.source.is_file and failure is CameraState.MISSING:
                        break  # a missing file does not appear by waiting
                    delay = RETRY_DELAYS_S[min(attempt, len(RETRY_DELAYS_S) - 1)]
                    attempt += 1
                    self._stop.wait(delay)
                    continue
                attempt = 0
                lost = False
                try:
                    outcome = self._read_loop(cap)
                finally:
                    cap.release()
                if outcome is CameraState.ENDED:
                    self._set_state(CameraState.ENDED)
                    break
                if outcome is CameraState.UNPLUGGED:
                    lost = True
                    self._set_state(CameraState.UNPLUGGED, self.source.describe())
                    self._stop.wait(RETRY_DELAYS_S[0])
        except Exception:  # never let the capture thread die silently
            log.exception("capture thread failed")
        finally:
            self._set_state(CameraState.STOPPED)

    def _open(self) -> tuple[cv2.VideoCapture | None, CameraState]:
        src = self.source
        if src.path is not None:
            if not src.path.is_file():
                return None, CameraState.MISSING
            cap = cv2.VideoCapture(str(src.path))
            if not cap.isOpened():
                return None, CameraState.MISSING
            self._raw = raw_frames(cap, self._wants_preview) if self.gray else None
            return cap, CameraState.RUNNING
        index = src.index
        if src.name is not None:
            index = camera_names().get(src.name)
            if index is None:
                return None, CameraState.MISSING
        index = index or 0
        node = Path(f"/dev/video{index}")
        if sys.platform.startswith("linux") and not node.exists():
            return None, CameraState.MISSING
        cap = cv2.VideoCapture(index, _backend())
        if not cap.isOpened():
            cap.release()
            # The device is there but will not open: another program holds it.
            busy = sys.platform.startswith("linux") and node.exists()
            return None, CameraState.BUSY if busy else CameraState.MISSING
        w, h = self.requested_size
        cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, w)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, h)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        self._raw = raw_frames(cap, self._wants_preview) if self.gray else None
        ok, first = cap.read()
        if self._raw is not None and ok and first is not None and not self._raw.accepts(first):
            self._raw.give_up(cap)  # a driver that hands back something else
            self._raw = None
            ok, first = cap.read()
        if not ok or first is None:
            cap.release()
            return None, CameraState.BUSY
        self._deliver(first)
        return cap, CameraState.RUNNING

    def _wants_preview(self) -> bool:
        return self.on_frame is not None

    def _read_loop(self, cap: cv2.VideoCapture) -> CameraState:
        self._set_state(CameraState.RUNNING)
        src = self.source
        period = 0.0
        if src.is_file and src.realtime:
            fps = cap.get(cv2.CAP_PROP_FPS)
            period = 1.0 / fps if fps and 1 <= fps <= 240 else 1 / 30
        next_due = time.monotonic()
        failures = 0
        while not self._stop.is_set():
            try:
                ok, image = cap.read()
            except cv2.error:  # a driver hiccup counts as a failed read
                log.debug("read failed", exc_info=True)
                ok, image = False, None
            if not ok or image is None:
                if src.is_file:
                    if src.loop and cap.set(cv2.CAP_PROP_POS_FRAMES, 0):
                        continue
                    return CameraState.ENDED
                failures += 1
                if failures >= MAX_FAILED_READS:
                    return CameraState.UNPLUGGED
                self._stop.wait(0.02)
                continue
            failures = 0
            if period:
                next_due += period
                delay = next_due - time.monotonic()
                if delay > 0 and self._stop.wait(delay):
                    break
                elif delay < -1.0:
                    next_due = time.monotonic()  # fell far behind: do not burst
            self._deliver(image)
        return CameraState.STOPPED

    def _deliver(self, image: np.ndarray) -> None:
        gray = None
        if self._raw is not None:
            shown, gray = self._raw.split(image)
            if shown is None:  # a corrupt packet: one missed frame
                return
            image = shown
        self.frames_read += 1
        frame = Frame(self.frames_read, image, time.monotonic(), gray)
        self.slot.put(frame)
        if self.on_frame is not None:
            try:
                self.on_frame(frame)
            except Exception:
                log.exception("frame listener failed")
