"""Decoding a photo or screenshot of a code (file, dropped image, clipboard).

Photos are not time-critical, so after zxing-cpp's own pass a photo where
nothing was read is tried again a few ways (another binarizer, enlarged if
small, lightly smoothed) before giving up. Every call is guarded.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from merchant_pos.scan.classify import ScanEvent, ScanSource, classify
from merchant_pos.scan.decoders import _unique, to_gray
from merchant_pos.scan.messages import ScanMessage

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 64 * 1024 * 1024  # a phone photo is a few MB; refuse absurd files
ENLARGE_BELOW_PX = 800


@dataclass(frozen=True, slots=True)
class PhotoResult:
    """The codes read from one image, how long it took, and a message if none."""

    file: str
    texts: list[str]
    ms: float
    message: ScanMessage | None = None

    def events(self) -> list[ScanEvent]:
        return [classify(t, ScanSource.PHOTO) for t in self.texts]


def load_image(data: bytes) -> np.ndarray | None:
    """Decode image bytes (PNG, JPEG, WebP, BMP, TIFF...) to 8-bit grey.

    Transparent pixels are put on white: screenshots of codes drawn black on
    a transparent background would otherwise read as black on black.
    """
    buf = np.frombuffer(data, np.uint8)
    if buf.size == 0:
        return None
    try:
        image = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
    except cv2.error:
        return None
    if image is None:
        return None
    if image.dtype != np.uint8:  # 16-bit PNG / TIFF
        image = cv2.convertScaleAbs(image, alpha=255.0 / max(1.0, float(image.max())))
    if image.ndim == 3 and image.shape[2] == 4:
        alpha = image[:, :, 3:4].astype(np.float32) / 255.0
        rgb = image[:, :, :3].astype(np.float32)
        image = (rgb * alpha + 255.0 * (1.0 - alpha)).astype(np.uint8)
    return to_gray(image)


def _attempts(gray: np.ndarray) -> list[Callable[[], list[str]]]:
    import zxingcpp as z

    fmt, mode = z.BarcodeFormats(z.BarcodeFormat.QRCode), z.TextMode.Plain

    def read(img: np.ndarray, binarizer: z.Binarizer = z.Binarizer.LocalAverage) -> list[str]:
        found = z.read_barcodes(img, formats=fmt, text_mode=mode, binarizer=binarizer)
        return [b.text for b in found]

    attempts: list[Callable[[], list[str]]] = [
        lambda: read(gray),
        lambda: read(gray, z.Binarizer.GlobalHistogram),
    ]
    if max(gray.shape) < ENLARGE_BELOW_PX:
        attempts.append(lambda: read(
            cv2.resize(gray, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)))
    attempts.append(lambda: read(cv2.medianBlur(gray, 3)))
    attempts.append(lambda: read(cv2.GaussianBlur(gray, (0, 0), 1.0)))
    return attempts


def decode_gray(gray: np.ndarray) -> list[str]:
    """The texts of the QR codes in a grey image, trying harder than a camera frame."""
    for attempt in _attempts(gray):
        try:
            texts = attempt()
        except Exception:  # a decoder failure is a failed attempt, nothing more
            log.exception("photo decode attempt failed")
            continue
        if texts:
            return _unique(texts)
    return []


def decode_image_bytes(data: bytes, name: str = "") -> PhotoResult:
    t0 = time.perf_counter()
    gray = load_image(data)
    if gray is None:
        return PhotoResult(name, [], _ms(t0), ScanMessage.PHOTO_UNREADABLE)
    return _result(name, gray, t0)


def decode_image(image: np.ndarray, name: str = "") -> PhotoResult:
    """Decode an image already in memory (BGR, BGRA or grey), e.g. from the clipboard."""
    t0 = time.perf_counter()
    try:
        gray = to_gray(image)
    except (ValueError, cv2.error):
        return PhotoResult(name, [], _ms(t0), ScanMessage.PHOTO_UNREADABLE)
    return _result(name, gray, t0)


def decode_image_file(path: str | Path) -> PhotoResult:
    """Read and decode one image file; never raises for a bad file."""
    t0 = time.perf_counter()
    p = Path(path)
    try:
        if p.stat().st_size > MAX_FILE_BYTES:
            return PhotoResult(str(path), [], _ms(t0), ScanMessage.PHOTO_UNREADABLE)
        data = p.read_bytes()  # not cv2.imread: it cannot open non-ASCII paths on Windows
    except OSError:
        return PhotoResult(str(path), [], _ms(t0), ScanMessage.PHOTO_UNREADABLE)
    result = decode_image_bytes(data, str(path))
    return PhotoResult(result.file, result.texts, _ms(t0), result.message)


def _result(name: str, gray: np.ndarray, t0: float) -> PhotoResult:
    texts = decode_gray(gray)
    return PhotoResult(name, texts, _ms(t0), None if texts else ScanMessage.PHOTO_NO_CODE)


def _ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000.0
