"""The decoder's rescue of a QR symbol zxing located but could not read.

A frame in which zxing-cpp found a QR symbol's finder patterns but failed the
error correction (typically motion or focus blur) is tried again on a small
image: the crop around the located symbol, resized so that a module is about
``MODULE_PX`` pixels (the symbol's version, which zxing reports with the
failed read, gives its module count; its corners give its size), then
sharpened with an unsharp mask whose radius is a fraction of a module.
Normalising the scale makes one pass fit every code size: a big blurred
code is shrunk (cheaper, and its blur shrinks with it) and a small one is
enlarged. A second, stronger sharpening of the same image is the fallback.
On the benchmark's frames (``python -m merchant_pos.bench scan``, seeds 1-4)
the two passes read 66 of the frames zxing located but could not read where
the old passes (the crop sharpened by a fixed 2 px, then enlarged 2x) read
48, on under a quarter of the pixels (14 against 62 million).

:class:`RescueBudget` bounds what the rescue may add, counted in pixels read
rather than milliseconds, so what it allows does not depend on the machine's
speed or load (and the tests count it exactly): every frame's primary read
earns ``share`` of its pixel count; a pass runs only while the balance covers
its cost (its image's pixel count times ``PASS_WEIGHT``, what a pixel of a
rescue pass costs relative to a pixel of the primary read: the pass reads a
small image full of symbol, with zxing's own retries), and the cost is then
spent. Over any run the rescue adds at most ``share`` of the primary reads'
work plus ``burst`` (the bucket's size), so the mean per frame stays within
``1 + share`` of the plain decode however many frames call for a rescue;
bursts (a phone held up, blurred for a few frames) are paid for by the idle
frames around them.

:class:`RepeatFilter` skips the rescue of a symbol in the same place as one
whose rescue failed on the frame before (a phone held still but out of
focus gives the same failed read frame after frame); it skips every other
such frame only, so a symbol that becomes readable is read one frame later
at worst.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

DEFAULT_SHARE = 0.15
FRAME_720P = 1280 * 720
DEFAULT_BURST = 8.0 * FRAME_720P  # eight primary reads of a 720p frame: about nine rescue passes
PASS_WEIGHT = 8.0  # measured: 20-23 ns a pixel for a pass, 2.5-2.8 ns for the primary read
MODULE_PX = 3.0
# (unsharp radius in modules, amount) for the first and the fallback pass
PASSES: tuple[tuple[float, float], ...] = ((0.4, 2.5), (0.5, 4.0))
MAX_SIDE = 1000  # the rescue image's largest side, whatever the code's size

Box = tuple[int, int, int, int]  # x0, y0, x1, y1


class RescueBudget:
    """Pixels the rescue passes may still read (see the module text)."""

    def __init__(self, share: float = DEFAULT_SHARE, burst: float = DEFAULT_BURST) -> None:
        if share < 0 or burst < 0:
            raise ValueError("the rescue budget cannot be negative")
        self.share = share
        self.burst = burst
        self.balance = burst
        self.spent = 0.0
        self.earned = 0.0
        self.passes = 0  # passes run
        self.skipped = 0  # passes not run for want of budget

    def earn(self, pixels: int) -> None:
        """Credit a frame's primary read of ``pixels`` pixels."""
        credit = self.share * pixels
        self.earned += credit
        self.balance = min(self.burst, self.balance + credit)

    def allows(self, cost: float) -> bool:
        """Whether a pass costing ``cost`` (see :func:`pass_cost`) may run now."""
        if self.balance >= cost:
            return True
        self.skipped += 1
        return False

    def spend(self, cost: float) -> None:
        """Debit a pass that ran."""
        self.passes += 1
        self.spent += cost
        self.balance -= cost


def pass_cost(image: np.ndarray) -> float:
    """What a rescue pass on ``image`` costs, in primary-read pixels."""
    return PASS_WEIGHT * int(image.shape[0]) * int(image.shape[1])


@dataclass(frozen=True)
class Located:
    """A symbol zxing located: its corners (x, y) and its size in modules, if known."""

    corners: tuple[tuple[float, float], ...]  # top-left, top-right, bottom-right, bottom-left
    modules: tuple[int, int] | None  # (across, down)

    @classmethod
    def of(cls, barcode: Any) -> Located:  # a zxingcpp.Barcode
        pos = barcode.position
        corners = tuple((float(p.x), float(p.y)) for p in (
            pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left))
        extra = barcode.extra
        version = extra.get("Version") if isinstance(extra, dict) else None
        return cls(corners, symbol_modules(version) if isinstance(version, str) else None)

    @property
    def box(self) -> Box:
        xs = [int(x) for x, _ in self.corners]
        ys = [int(y) for _, y in self.corners]
        return min(xs), min(ys), max(xs), max(ys)

    def module_px(self) -> float | None:
        """The module's size in the frame, from the edges' lengths and the module count."""
        if self.modules is None:
            return None
        (ax, ay), (bx, by), (cx, cy), (dx, dy) = self.corners
        across = (math.hypot(bx - ax, by - ay) + math.hypot(cx - dx, cy - dy)) / 2
        down = (math.hypot(dx - ax, dy - ay) + math.hypot(cx - bx, cy - by)) / 2
        return (across / self.modules[0] + down / self.modules[1]) / 2


def symbol_modules(version: str) -> tuple[int, int] | None:
    """Modules across and down of a QR ("12"), Micro QR ("M3") or rMQR ("R13x43") version."""
    if version.isdigit() and 1 <= int(version) <= 40:
        side = 17 + 4 * int(version)
        return side, side
    if (m := re.fullmatch(r"M([1-4])", version)) is not None:
        side = 9 + 2 * int(m.group(1))
        return side, side
    if (m := re.fullmatch(r"R(\d+)x(\d+)", version)) is not None:
        return int(m.group(2)), int(m.group(1))
    return None


def crop_around(gray: np.ndarray, box: Box, margin: float = 0.25) -> np.ndarray | None:
    """The part of ``gray`` around a located symbol, with a margin for the quiet zone."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    if w < 8 or h < 8:
        return None
    mx, my = int(w * margin) + 8, int(h * margin) + 8
    return gray[max(0, y0 - my):min(gray.shape[0], y1 + my),
                max(0, x0 - mx):min(gray.shape[1], x1 + mx)]


def normalised(crop: np.ndarray, module_px: float | None) -> tuple[np.ndarray, float]:
    """``crop`` resized to about ``MODULE_PX`` pixels a module; (image, its module px)."""
    factor = 1.0 if not module_px else MODULE_PX / module_px
    factor = min(factor, MAX_SIDE / max(crop.shape[:2]))
    if abs(factor - 1.0) < 0.05:
        return crop, module_px or MODULE_PX
    size = (max(1, round(crop.shape[1] * factor)), max(1, round(crop.shape[0] * factor)))
    filt = cv2.INTER_AREA if factor < 1.0 else cv2.INTER_CUBIC
    return cv2.resize(crop, size, interpolation=filt), (module_px or MODULE_PX) * factor


def unsharp(gray: np.ndarray, sigma: float, amount: float) -> np.ndarray:
    """``gray`` sharpened: itself plus ``amount`` times its difference from a blur."""
    blurred = cv2.GaussianBlur(gray, (0, 0), sigma)
    return cv2.addWeighted(gray, 1.0 + amount, blurred, -amount, 0)


def rescue_images(gray: np.ndarray, located: Located) -> Iterator[np.ndarray]:
    """The images the rescue passes read, cheapest and likeliest first (made lazily)."""
    crop = crop_around(gray, located.box)
    if crop is None:
        return
    image, module = normalised(crop, located.module_px())
    for radius, amount in PASSES:
        yield unsharp(image, radius * module, amount)


def _overlap(a: Box, b: Box) -> float:
    """Intersection over union of two boxes."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


class RepeatFilter:
    """Skips a rescue where the previous frame's rescue of the same region failed,
    every other frame (see the module text)."""

    SAME = 0.8  # intersection over union for "the same region"

    def __init__(self) -> None:
        self.skipped = 0  # rescues not tried because the same region just failed
        self._last: list[tuple[Box, bool]] = []  # (region, skipped) from the frame before
        self._now: list[tuple[Box, bool]] = []

    def should_skip(self, box: Box) -> bool:
        """Whether to skip ``box`` on this frame (recorded, to try it on the next one)."""
        for old, was_skipped in self._last:
            if not was_skipped and _overlap(old, box) >= self.SAME:
                self._now.append((box, True))
                self.skipped += 1
                return True
        return False

    def failed(self, box: Box) -> None:
        """The rescue of ``box`` ran on this frame and read nothing."""
        self._now.append((box, False))

    def next_frame(self) -> None:
        """This frame is done: its failures are what the next frame compares with."""
        self._last, self._now = self._now, []
