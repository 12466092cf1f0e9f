"""The thin Qt worker over :class:`merchant_pos.scan.scanner.ScanService`.

Capture and decoding run on their own threads (Qt-free); this object turns
their callbacks into Qt signals, which Qt delivers queued on the UI thread.
Preview frames are offered at most one at a time: ``previewReady`` is
emitted only when the UI has taken the previous frame, so a busy UI thread
never builds a queue of frames; it simply shows the newest one when it gets
to it. The frame reaches the UI as a ``QImage`` over the numpy buffer
(``Format_BGR888``, no copy).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QCoreApplication, QLocale, QObject, Signal
from PySide6.QtGui import QImage

from merchant_pos.scan.capture import CameraSource, CameraState, Frame
from merchant_pos.scan.classify import ScanEvent
from merchant_pos.scan.debounce import Debouncer
from merchant_pos.scan.messages import ScanMessage, message
from merchant_pos.scan.scanner import ScanService, ScanSettings


def ui_language() -> str:
    """``zh_CN`` or ``en`` style language name of the UI's locale."""
    return QLocale().name()


def message_text(msg: ScanMessage) -> str:
    """A scanning message in the UI's language."""
    return message(msg, ui_language())


def qimage_over(image: np.ndarray) -> QImage:
    """A ``QImage`` sharing ``image``'s memory (BGR 8-bit, or grey). No copy:
    the caller keeps ``image`` alive for as long as the QImage is used."""
    if image.dtype != np.uint8 or not image.flags.c_contiguous:
        raise ValueError("expected a C-contiguous uint8 image")
    h, w = image.shape[:2]
    if image.ndim == 3 and image.shape[2] == 3:
        fmt = QImage.Format.Format_BGR888
    elif image.ndim == 2:
        fmt = QImage.Format.Format_Grayscale8
    else:
        raise ValueError(f"unsupported image shape {image.shape}")
    return QImage(image.data, w, h, image.strides[0], fmt)


@dataclass(frozen=True)
class PreviewFrame:
    """A captured frame and the QImage over its pixels (holding the frame keeps
    the pixels alive)."""

    frame: Frame
    image: QImage


class CameraWorker(QObject):
    """Starts and stops camera scanning; re-emits its events as signals.

    ``scanned`` carries a :class:`ScanEvent` (already debounced and
    classified); ``stateChanged`` carries the :class:`CameraState` value and
    the clerk's message in the UI language; ``previewReady`` says a frame is
    waiting for :meth:`take_preview`.
    """

    scanned = Signal(object)
    stateChanged = Signal(str, str)
    previewReady = Signal()

    def __init__(
        self,
        source: CameraSource,
        settings: ScanSettings | None = None,
        *,
        debouncer: Debouncer | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._latest: Frame | None = None
        self._offered = False
        self.service = ScanService(
            source, settings, on_scan=self._on_scan, on_state=self._on_state,
            on_frame=self._on_frame, debouncer=debouncer,
        )
        self.previews_taken = 0
        app = QCoreApplication.instance()
        if app is not None:  # never leave camera threads running past the event loop
            app.aboutToQuit.connect(self.stop)

    # -- control (UI thread) -------------------------------------------------
    def start(self) -> None:
        self.service.start()

    def stop(self, timeout: float = 3.0) -> bool:
        """Stop the threads (call before the window closes); True if they ended."""
        return self.service.stop(timeout)

    @property
    def state(self) -> CameraState:
        return self.service.state

    @property
    def decoder_message(self) -> str | None:
        """Set when the chosen decoder was not available and the default is used."""
        msg = self.service.decoder_message
        return message_text(msg) if msg is not None else None

    def take_preview(self) -> PreviewFrame | None:
        """The newest frame not yet shown, or None. Call from the slot
        connected to ``previewReady``; it re-arms the signal."""
        with self._lock:
            frame, self._latest, self._offered = self._latest, None, False
        if frame is None:
            return None
        self.previews_taken += 1
        return PreviewFrame(frame, qimage_over(frame.image))

    # -- callbacks (worker threads) ------------------------------------------
    def _on_frame(self, frame: Frame) -> None:
        with self._lock:
            self._latest = frame
            if self._offered:
                return
            self._offered = True
        self.previewReady.emit()

    def _on_scan(self, event: ScanEvent) -> None:
        self.scanned.emit(event)

    def _on_state(self, state: CameraState, detail: str) -> None:
        self.stateChanged.emit(state.value, message_text(state.message))
