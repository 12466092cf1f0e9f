"""The rescue passes as they were before issue 14's cheaper rescue, for the
scan benchmark's side-by-side row ("old rescue"): on a frame where zxing
located a symbol but read nothing, a sharpened crop (unsharp sigma 2 px),
then the same enlarged 2x (up to 1000 px), within a token bucket in
milliseconds (15 % of the primary reads' time plus a 60 ms burst)."""

from __future__ import annotations

import time

import cv2
import numpy as np


class OldRescueDecoder:
    """zxing-cpp with the old rescue; only the benchmark uses it."""

    name = "zxing, old rescue"

    def __init__(self, share: float = 0.15, burst_ms: float = 60.0) -> None:
        import zxingcpp

        self._z = zxingcpp
        self.share, self.burst_ms, self.balance_ms = share, burst_ms, burst_ms
        self._estimate_ms: dict[int, float] = {}

    def _read(self, gray: np.ndarray, errors: bool = False) -> list:  # type: ignore[type-arg]
        return list(self._z.read_barcodes(
            gray, formats=self._z.BarcodeFormats(self._z.BarcodeFormat.QRCode),
            try_rotate=False, return_errors=errors))

    def decode(self, gray: np.ndarray) -> list[str]:
        clock = time.perf_counter
        t0 = clock()
        found = self._read(gray, errors=True)
        self.balance_ms = min(self.burst_ms,
                              self.balance_ms + self.share * (clock() - t0) * 1000.0)
        texts = [b.text for b in found if b.valid]
        if texts or not found:
            return list(dict.fromkeys(texts))
        for barcode in found:
            crop = _crop(gray, barcode.position)
            if crop is None:
                continue
            attempt = crop
            for kind in (0, 1):
                if self.balance_ms <= 0 or self.balance_ms < self._estimate_ms.get(kind, 0.0):
                    return []
                t0 = clock()
                attempt = _unsharp(crop) if kind == 0 else _enlarge(attempt)
                texts = [b.text for b in self._read(attempt) if b.valid]
                ms = (clock() - t0) * 1000.0
                self.balance_ms -= ms
                old = self._estimate_ms.get(kind)
                self._estimate_ms[kind] = ms if old is None else 0.7 * old + 0.3 * ms
                if texts:
                    return list(dict.fromkeys(texts))
        return []


def _crop(gray: np.ndarray, position: object) -> np.ndarray | None:
    corners = [getattr(position, n) for n in
               ("top_left", "top_right", "bottom_right", "bottom_left")]
    xs, ys = [int(c.x) for c in corners], [int(c.y) for c in corners]
    w, h = max(xs) - min(xs), max(ys) - min(ys)
    if w < 8 or h < 8:
        return None
    mx, my = int(w * 0.25) + 8, int(h * 0.25) + 8
    return gray[max(0, min(ys) - my):min(gray.shape[0], max(ys) + my),
                max(0, min(xs) - mx):min(gray.shape[1], max(xs) + mx)]


def _unsharp(gray: np.ndarray) -> np.ndarray:
    return cv2.addWeighted(gray, 2.0, cv2.GaussianBlur(gray, (0, 0), 2.0), -1.0, 0)


def _enlarge(gray: np.ndarray, limit: int = 1000) -> np.ndarray:
    factor = min(2.0, limit / max(gray.shape[:2]))
    if factor <= 1.0:
        return gray
    return cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
