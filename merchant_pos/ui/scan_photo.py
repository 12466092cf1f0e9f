"""Photo and screenshot input: file dialog, drag-and-drop, clipboard paste.

Decoding runs on a thread pool, never on the UI thread; results come back as
signals. ``PhotoInput.scanned`` carries a
:class:`~merchant_pos.scan.classify.ScanEvent` per code read (source PHOTO);
``failed`` carries the clerk's message when an image holds no code or
cannot be opened.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
from PySide6.QtCore import (
    QEvent,
    QMimeData,
    QObject,
    QRunnable,
    QThreadPool,
    Signal,
    SignalInstance,
)
from PySide6.QtGui import QClipboard, QDragEnterEvent, QDropEvent, QGuiApplication, QImage, QPixmap
from PySide6.QtWidgets import QFileDialog, QWidget

from merchant_pos.scan.photo import PhotoResult, decode_image, decode_image_file
from merchant_pos.ui.scan_camera import message_text

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff", ".gif")


def qimage_to_gray(image: QImage) -> np.ndarray:
    """A grey numpy copy of any QImage (the QImage may go away afterwards)."""
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    h, w, stride = grey.height(), grey.width(), grey.bytesPerLine()
    if h == 0 or w == 0:
        return np.zeros((0, 0), np.uint8)
    buf = np.frombuffer(grey.constBits(), np.uint8, count=h * stride).reshape(h, stride)
    return buf[:, :w].copy()


def image_paths(mime: QMimeData) -> list[str]:
    """Local image files named in dragged or pasted data."""
    paths = []
    for url in mime.urls():
        if url.isLocalFile():
            path = url.toLocalFile()
            if path.lower().endswith(IMAGE_SUFFIXES):
                paths.append(path)
    return paths


class _Job(QRunnable):
    def __init__(self, work: Callable[[], PhotoResult], done: SignalInstance) -> None:
        super().__init__()
        self.work = work
        self.done = done

    def run(self) -> None:
        self.done.emit(self.work())


class PhotoInput(QObject):
    """Decodes photos off the UI thread and reports scans."""

    scanned = Signal(object)  # ScanEvent
    failed = Signal(str, str)  # file (or "clipboard"), message for the clerk
    decoded = Signal(object)  # PhotoResult, for every image (support, tests)
    _finished = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._finished.connect(self._report)
        self._drop_targets: list[QWidget] = []

    # -- inputs ----------------------------------------------------------------
    def choose_files(self, parent: QWidget | None = None) -> list[str]:
        """Ask for image files (file dialog) and decode them."""
        paths, _ = QFileDialog.getOpenFileNames(
            parent, self.tr("Choose a photo or screenshot of the code"), "",
            self.tr("Images (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff *.gif)"),
        )
        self.decode_files(paths)
        return paths

    def decode_files(self, paths: Iterable[str | Path]) -> None:
        for path in paths:
            self.pool.start(_Job(functools.partial(decode_image_file, path), self._finished))

    def decode_qimage(self, image: QImage, name: str = "clipboard") -> None:
        gray = qimage_to_gray(image)  # copied now, on the UI thread: the QImage may go
        self.pool.start(_Job(functools.partial(decode_image, gray, name), self._finished))

    def paste(self, clipboard: QClipboard | None = None) -> bool:
        """Decode an image or image files from the clipboard; False if it holds neither."""
        clipboard = clipboard or QGuiApplication.clipboard()
        mime = clipboard.mimeData()
        if mime is None:
            return False
        paths = image_paths(mime)
        if paths:
            self.decode_files(paths)
            return True
        if mime.hasImage():
            image = clipboard.image()
            if not image.isNull():
                self.decode_qimage(image)
                return True
        return False

    def accept_drops_on(self, widget: QWidget) -> None:
        """Let image files and images be dropped on ``widget``."""
        widget.setAcceptDrops(True)
        widget.installEventFilter(self)
        self._drop_targets.append(widget)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched not in self._drop_targets:
            return False
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            assert isinstance(event, QDragEnterEvent | QDropEvent)
            mime = event.mimeData()
            if image_paths(mime) or mime.hasImage():
                event.acceptProposedAction()
                return True
            return False
        if kind == QEvent.Type.Drop:
            assert isinstance(event, QDropEvent)
            mime = event.mimeData()
            paths = image_paths(mime)
            if paths:
                self.decode_files(paths)
            elif mime.hasImage():
                data = mime.imageData()
                self.decode_qimage(data.toImage() if isinstance(data, QPixmap) else QImage(data))
            else:
                return False
            event.acceptProposedAction()
            return True
        return False

    def wait(self, msecs: int = 5000) -> bool:
        """Wait for pending decodes (before closing)."""
        return self.pool.waitForDone(msecs)

    # -- results (UI thread) ---------------------------------------------------
    def _report(self, result: PhotoResult) -> None:
        self.decoded.emit(result)
        if result.message is not None:
            self.failed.emit(result.file, message_text(result.message))
            return
        for event in result.events():
            self.scanned.emit(event)
