"""QR decoders behind one small interface, every call guarded.

zxing-cpp is the default (self-contained wheel, fastest and most robust in
``python -m merchant_pos.bench scan``); pyzbar is the selectable alternative
(needs the system zbar library). A decoder takes a greyscale ``uint8`` image
and returns the texts it read; :class:`GuardedDecoder` turns any exception
into "nothing read" so a bad frame is one missed frame, never a dead thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Protocol

import cv2
import numpy as np

from merchant_pos.scan.messages import ScanMessage
from merchant_pos.scan.rescue import (
    DEFAULT_SHARE,
    Located,
    RepeatFilter,
    RescueBudget,
    pass_cost,
    rescue_images,
)

log = logging.getLogger(__name__)

ZXING = "zxing"
PYZBAR = "pyzbar"
DECODER_NAMES: tuple[str, ...] = (ZXING, PYZBAR)
DEFAULT_DECODER = ZXING

Image = np.ndarray


class Decoder(Protocol):
    """Reads the QR codes in a greyscale (H, W) uint8 image."""

    name: str

    def decode(self, gray: Image) -> list[str]: ...


def to_gray(image: Image) -> Image:
    """A greyscale view or copy of a BGR, BGRA or already grey image."""
    if image.ndim == 2:
        return image
    channels = image.shape[2]
    if channels == 1:
        return image[:, :, 0]
    if channels == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    if channels == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    raise ValueError(f"unsupported image shape {image.shape}")


def downscale(gray: Image, max_width: int | None) -> Image:
    """``gray`` shrunk to at most ``max_width`` pixels wide (area filter), or as is."""
    if not max_width or gray.shape[1] <= max_width:
        return gray
    scale = max_width / gray.shape[1]
    size = (max_width, max(1, round(gray.shape[0] * scale)))
    return cv2.resize(gray, size, interpolation=cv2.INTER_AREA)


def _unique(texts: Sequence[str]) -> list[str]:
    seen: dict[str, None] = {}
    for t in texts:
        if t:
            seen.setdefault(t, None)
    return list(seen)


class ZxingDecoder:
    """zxing-cpp restricted to the QR family.

    Its own retries stay on: ``try_invert`` reads light-on-dark codes from
    dark-mode phones and ``try_downscale`` reads codes filling a close-up
    frame. With ``rescue`` on, a frame in which zxing located a QR symbol but
    could not decode it (typically motion or focus blur) is tried again on a
    crop around that symbol, scaled to about three pixels a module and
    sharpened, then sharpened harder (see :mod:`merchant_pos.scan.rescue`).
    Frames without any code never pay for the rescue; the frames that do pay
    about a pass on a 300x300 image, within a :class:`RescueBudget`
    (``rescue_budget``: the share of the plain reads' pixels the rescue may add
    on average; None: unbounded), and a symbol whose rescue failed on the
    frame before, in the same place, is skipped every other frame.
    """

    name = ZXING

    def __init__(self, *, rescue: bool = True, try_rotate: bool = False,
                 rescue_budget: float | RescueBudget | None = DEFAULT_SHARE) -> None:
        import zxingcpp

        self._z = zxingcpp
        # A BarcodeFormats is built per call (well under a microsecond): an instance
        # kept on the decoder outlives zxing-cpp's module at exit wherever a decoder
        # is held globally (e.g. as a test parameter), and its bindings report a leak.
        self._qr = zxingcpp.BarcodeFormat.QRCode
        self.rescue = rescue
        # Phones are held upright and QR finder patterns are found in any
        # orientation; try_rotate only adds 90° passes meant for linear codes.
        self.try_rotate = try_rotate
        self.rescued = 0
        self.budget = RescueBudget(rescue_budget) \
            if isinstance(rescue_budget, (int, float)) else rescue_budget
        self.repeats = RepeatFilter()

    def _read(self, gray: Image, errors: bool = False) -> list:  # type: ignore[type-arg]
        return list(self._z.read_barcodes(
            gray, formats=self._z.BarcodeFormats(self._qr), try_rotate=self.try_rotate,
            return_errors=errors,
        ))

    def decode(self, gray: Image) -> list[str]:
        found = self._read(gray, errors=self.rescue)
        if self.budget is not None:
            self.budget.earn(gray.shape[0] * gray.shape[1])
        texts = [b.text for b in found if b.valid]
        if texts or not found:
            self.repeats.next_frame()
            return _unique(texts)
        try:
            return self._rescue(gray, found)
        finally:
            self.repeats.next_frame()

    def _rescue(self, gray: Image, found: list) -> list[str]:  # type: ignore[type-arg]
        budget = self.budget
        for barcode in found:
            located = Located.of(barcode)
            if self.repeats.should_skip(located.box):
                continue
            tried = False
            for image in rescue_images(gray, located):
                cost = pass_cost(image)
                if budget is not None and not budget.allows(cost):
                    return []
                texts = [b.text for b in self._read(image) if b.valid]
                if budget is not None:
                    budget.spend(cost)
                tried = True
                if texts:
                    self.rescued += 1
                    return _unique(texts)
            if tried:
                self.repeats.failed(located.box)
        return []


class PyzbarDecoder:
    """pyzbar (the zbar library) restricted to QR codes.

    zbar does not read light-on-dark codes by itself; with ``try_invert``
    a frame where nothing was read is tried again inverted.
    """

    name = PYZBAR

    def __init__(self, *, try_invert: bool = True) -> None:
        from pyzbar import pyzbar

        self._pyzbar = pyzbar
        self._symbols = [pyzbar.ZBarSymbol.QRCODE]
        self.try_invert = try_invert

    def decode(self, gray: Image) -> list[str]:
        gray = np.ascontiguousarray(gray)
        found = self._pyzbar.decode(gray, symbols=self._symbols)
        if not found and self.try_invert:
            found = self._pyzbar.decode(cv2.bitwise_not(gray), symbols=self._symbols)
        return _unique([_text(r.data) for r in found])


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # zbar hands back raw bytes; codes from Chinese systems are often GB18030.
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            return data.decode("latin-1")


class GuardedDecoder:
    """Wraps a decoder so that an exception is a missed frame, not a dead thread."""

    def __init__(self, inner: Decoder) -> None:
        self.inner = inner
        self.name = inner.name
        self.failures = 0
        self._lock = threading.Lock()

    def decode(self, gray: Image) -> list[str]:
        try:
            return self.inner.decode(gray)
        except Exception:  # any decoder failure is one missed frame
            with self._lock:
                self.failures += 1
                first = self.failures == 1
            if first:
                log.exception("decoder %s failed on a frame; frame skipped", self.name)
            else:
                log.debug("decoder %s failed on a frame", self.name, exc_info=True)
            return []


def make_decoder(name: str = DEFAULT_DECODER) -> tuple[GuardedDecoder, ScanMessage | None]:
    """The decoder named by the setting, guarded.

    pyzbar is an optional extra (``merchant-pos[zbar]``, plus the system zbar
    library): without it, or with an unknown name, this falls back to zxing-cpp
    and returns a message for the clerk.
    """
    if name == PYZBAR:
        try:
            return GuardedDecoder(PyzbarDecoder()), None
        except (ImportError, OSError):
            log.warning("pyzbar / zbar not available; falling back to zxing-cpp", exc_info=True)
            return GuardedDecoder(ZxingDecoder()), ScanMessage.PYZBAR_MISSING
    if name != ZXING:
        log.warning("unknown decoder %r; using zxing-cpp", name)
        return GuardedDecoder(ZxingDecoder()), ScanMessage.DECODER_UNAVAILABLE
    return GuardedDecoder(ZxingDecoder()), None


def available_decoders() -> tuple[str, ...]:
    """The decoders this installation can load (what a decoder picker offers)."""
    names = [ZXING]
    try:
        PyzbarDecoder()
        names.append(PYZBAR)
    except (ImportError, OSError):
        pass
    return tuple(names)


class FramePipeline:
    """What the decode thread does with one camera frame: grey (nothing to do
    when the capture delivered grey, see ``Frame.luma``), optional downscale,
    decode. Shared by the scanner, the benchmark and photos."""

    def __init__(self, decoder: Decoder, max_width: int | None = None) -> None:
        self.decoder = decoder
        self.max_width = max_width

    def __call__(self, frame: Image) -> list[str]:
        return self.decoder.decode(downscale(to_gray(frame), self.max_width))
