"""The scan service: capture thread + decode thread + debounce + classification.

``ScanService`` is what the app (through the thin Qt worker in
``merchant_pos/ui/scan_camera.py``) starts and stops. Listeners are plain
callables, called on the worker threads; they must be quick and must not
touch Qt widgets directly (the Qt worker re-emits them as signals).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from merchant_pos.scan.capture import (
    CameraSource,
    CameraState,
    CaptureWorker,
    Frame,
    FrameListener,
    FrameSlot,
    StateListener,
)
from merchant_pos.scan.classify import ScanEvent, ScanSource, classify
from merchant_pos.scan.debounce import DEFAULT_WINDOW_S, Debouncer
from merchant_pos.scan.decoders import DEFAULT_DECODER, FramePipeline, make_decoder
from merchant_pos.scan.messages import ScanMessage

log = logging.getLogger(__name__)

ScanListener = Callable[[ScanEvent], None]


@dataclass(frozen=True, slots=True)
class ScanSettings:
    """The scanning settings the app stores."""

    decoder: str = DEFAULT_DECODER
    # Decode on a copy at most this wide (None: full resolution, the default:
    # halving 1280 to 640 halves the time but loses codes with modules < ~4 px).
    max_width: int | None = None
    debounce_s: float = DEFAULT_WINDOW_S


@dataclass
class DecodeStats:
    frames_decoded: int = 0
    texts_read: int = 0
    scans: int = 0
    # the most recent decode times (bounded: a scanner runs all day)
    decode_ms: deque[float] = field(default_factory=lambda: deque(maxlen=1000))

    def record(self, ms: float) -> None:
        self.frames_decoded += 1
        self.decode_ms.append(ms)


class DecodeWorker:
    """Decodes the newest frame of a :class:`FrameSlot` on its own thread."""

    def __init__(
        self,
        slot: FrameSlot,
        pipeline: Callable[[Frame], list[str]] | FramePipeline,
        debouncer: Debouncer,
        on_scan: ScanListener,
    ) -> None:
        self.slot = slot
        self.pipeline = pipeline
        self.debouncer = debouncer
        self.on_scan = on_scan
        self.stats = DecodeStats()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._done = threading.Condition()
        self._done_seq = 0

    def wait_decoded(self, seq: int, timeout: float | None = None) -> bool:
        """Wait until the frame numbered ``seq`` (or a later one) has been decoded."""
        with self._done:
            return self._done.wait_for(lambda: self._done_seq >= seq, timeout)

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self.slot.reopen()
        self._thread = threading.Thread(target=self._run, name="scan-decode", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 3.0) -> bool:
        self._stop.set()
        self.slot.close()
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            frame = self.slot.take(timeout=0.5)
            if frame is None:
                continue
            try:
                self._decode(frame)
            except Exception:  # a bad frame or a failing listener is one missed frame
                log.exception("decoding a frame failed; frame skipped")
            finally:
                with self._done:
                    self._done_seq = max(self._done_seq, frame.seq)
                    self._done.notify_all()

    def _decode(self, frame: Frame) -> None:
        t0 = time.perf_counter()
        if isinstance(self.pipeline, FramePipeline):
            texts = self.pipeline(frame.luma)
        else:
            texts = self.pipeline(frame)
        self.stats.record((time.perf_counter() - t0) * 1000.0)
        for text in texts:
            self.stats.texts_read += 1
            event = classify(text, ScanSource.CAMERA)
            if not event.text or not self.debouncer.accept(event.text):
                continue
            self.stats.scans += 1
            self.on_scan(event)


class ScanService:
    """Camera scanning end to end. Start it, get :class:`ScanEvent` callbacks."""

    def __init__(
        self,
        source: CameraSource,
        settings: ScanSettings | None = None,
        *,
        on_scan: ScanListener,
        on_state: StateListener | None = None,
        on_frame: FrameListener | None = None,
        debouncer: Debouncer | None = None,
    ) -> None:
        self.settings = settings or ScanSettings()
        decoder, self.decoder_message = make_decoder(self.settings.decoder)
        self.decoder = decoder
        self.debouncer = debouncer or Debouncer(self.settings.debounce_s)
        self.slot = FrameSlot()
        self.capture = CaptureWorker(source, self.slot, on_frame=on_frame, on_state=on_state)
        self.decoding = DecodeWorker(
            self.slot, FramePipeline(decoder, self.settings.max_width), self.debouncer, on_scan
        )

    @property
    def state(self) -> CameraState:
        return self.capture.state

    @property
    def stats(self) -> DecodeStats:
        return self.decoding.stats

    @property
    def decoder_failures(self) -> int:
        return self.decoder.failures

    @property
    def message(self) -> ScanMessage:
        return self.capture.state.message

    def start(self) -> None:
        self.decoding.start()
        self.capture.start()

    def stop(self, timeout: float = 3.0) -> bool:
        """Stop both threads; True if both ended within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        ok = self.capture.stop(timeout)
        ok = self.decoding.stop(max(0.1, deadline - time.monotonic())) and ok
        return ok

    def wait_capture_ended(self, timeout: float | None = None) -> bool:
        """Wait for a video source to play out (tests and the benchmark)."""
        return self.capture.wait_stopped(timeout)

    def drain(self, timeout: float = 5.0) -> bool:
        """Wait until the decode thread has finished the last captured frame
        (after a video source ended); True if it did within ``timeout``."""
        return self.decoding.wait_decoded(self.capture.frames_read, timeout)
