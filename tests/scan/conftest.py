"""Shared fixtures for the scanning tests: real signed BC1 texts and QR images."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.support.codes import claims, issuer_key, make_code

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def bc1_texts() -> list[str]:
    """Three real, distinct signed BC1 texts."""
    key = issuer_key()
    return [make_code(key, claims(sub=f"B-SCAN-{i:04d}")) for i in range(3)]


def qr_gray(text: str, module_px: int = 4, border: int = 4, dark_mode: bool = False) -> np.ndarray:
    """A QR symbol of ``text`` as a grey image (dark modules 20, light 240)."""
    import segno

    matrix = np.array(segno.make(text, error="m", micro=False).matrix, dtype=np.uint8)
    matrix = np.pad(matrix, border)
    img = np.where(matrix > 0, 20, 240).astype(np.uint8)
    if dark_mode:
        img = 255 - img
    return cv2.resize(img, None, fx=module_px, fy=module_px, interpolation=cv2.INTER_NEAREST)


def on_canvas(
    symbol: np.ndarray,
    size: tuple[int, int] = (640, 480),
    at: tuple[int, int] = (60, 40),
    background: int = 128,
) -> np.ndarray:
    """A BGR frame with ``symbol`` pasted at ``at`` (x, y)."""
    w, h = size
    frame = np.full((h, w, 3), background, np.uint8)
    x, y = at
    sh, sw = symbol.shape[:2]
    frame[y:y + sh, x:x + sw] = symbol[:, :, None] if symbol.ndim == 2 else symbol
    return frame


@pytest.fixture(autouse=True)
def no_leaked_scan_threads() -> Iterator[None]:
    """Every test must stop the scan threads it started."""
    yield
    leaked = [t.name for t in threading.enumerate() if t.name.startswith("scan-") and t.is_alive()]
    assert not leaked, f"scan threads still running: {leaked}"


def write_video(path: Path, specs: list[object], fps: int = 30, seed: int = 5) -> Path:
    """An MJPG AVI of the benchmark generator's frames described by ``specs``."""
    from merchant_pos.bench._scan_frames import FrameSpec, make_frame

    first = specs[0]
    assert isinstance(first, FrameSpec)
    writer = cv2.VideoWriter(
        str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (first.width, first.height))
    assert writer.isOpened()
    for spec in specs:
        assert isinstance(spec, FrameSpec)
        writer.write(make_frame(spec, seed=seed))
    writer.release()
    return path
