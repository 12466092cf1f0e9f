"""The scanning benchmark's deterministic frame generator (also used by the tests).

Webcam-like frames: a phone screen showing a real signed BC1 code, moved,
tilted, blurred, noisy, dimmed, glared, dark-mode and JPEG-compressed, or no
code at all; every frame is a pure function of its spec and a seed.
"""

from __future__ import annotations

import functools
import math
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np

# --------------------------------------------------------------------------
# Deterministic payloads: real signed BC1 texts from a fixed key and claims.


def bc1_texts(count: int, seed: int = 7) -> list[str]:
    """``count`` real BC1 texts, identical on every run (Ed25519 is deterministic)."""
    from cryptography.hazmat.primitives.asymmetric import ed25519

    from merchant_pos.domain.claims import Claims, Entitlement, Period, Unit
    from merchant_pos.domain.issuing import IssuerKey, issue_code

    now = 1_770_692_400
    key = IssuerKey(
        ed25519.Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32),
        "demo-foundation", now - 400 * 86_400, now + 400 * 86_400,
    )
    vouchers = tuple(
        Entitlement(f"v{i}", ("formula", "diaper"), Unit.FEN, 5000, Period.TOTAL, once=True)
        for i in range(1, 4)
    )
    texts = []
    for i in range(count):
        claims = Claims(
            iss="demo-foundation", sub=f"B-BENCH-{i:04d}", exp=now + 30 * 86_400,
            iat=now - 86_400, cti=zlib.crc32(f"{seed}/{i}".encode()).to_bytes(4, "big") * 3,
            prg="jss-baby-2023", nm="马*花", tz="Asia/Shanghai", ent=vouchers,
        )
        texts.append(issue_code(key, claims))
    return texts


@functools.lru_cache(maxsize=64)
def qr_modules(text: str, border: int = 4) -> np.ndarray:
    """The QR symbol of ``text`` as a 0/255 uint8 array, one pixel per module
    (cached and read-only: segno's mask search is slow)."""
    import segno

    qr = segno.make(text, error="m", micro=False)
    matrix = np.array(qr.matrix, dtype=np.uint8)
    matrix = np.pad(matrix, border, constant_values=0)
    symbol = np.where(matrix > 0, 0, 255).astype(np.uint8)
    symbol.flags.writeable = False
    return symbol


# --------------------------------------------------------------------------
# The frame generator.


@dataclass(frozen=True)
class FrameSpec:
    """What a generated frame holds; ``text`` is None for a frame without a code."""

    index: int
    width: int
    height: int
    text: str | None
    code_px: float = 0.0  # width of the symbol (without quiet zone) before tilt
    module_px: float = 0.0
    tilt_deg: float = 0.0
    blur_modules: float = 0.0  # Gaussian sigma in modules
    dark_mode: bool = False
    glare: bool = False
    low_contrast: bool = False
    jpeg_quality: int = 0

    @property
    def easy(self) -> bool:
        """Modules of at least 4 px and blur of at most 0.4 module (the issue's target set)."""
        return self.text is not None and self.module_px >= 4.0 and self.blur_modules <= 0.4


def _background(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """A counter seen by a webcam: a smooth gradient, some shapes, a colour cast."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    a, b, c = rng.uniform(-0.12, 0.12), rng.uniform(-0.12, 0.12), rng.uniform(60, 170)
    base = c + a * xx + b * yy
    img = np.dstack([base * rng.uniform(0.8, 1.2) for _ in range(3)])
    for _ in range(int(rng.integers(3, 9))):
        colour = tuple(float(v) for v in rng.uniform(20, 235, 3))
        x0, y0 = int(rng.integers(0, w)), int(rng.integers(0, h))
        if rng.random() < 0.5:
            x1, y1 = x0 + int(rng.integers(30, 300)), y0 + int(rng.integers(30, 300))
            cv2.rectangle(img, (x0, y0), (x1, y1), colour, -1)
        else:
            cv2.circle(img, (x0, y0), int(rng.integers(15, 120)), colour, -1)
    if rng.random() < 0.4:  # printed text / stripes: edges a detector may chase
        for _ in range(int(rng.integers(5, 25))):
            x0, y0 = int(rng.integers(0, w)), int(rng.integers(0, h))
            cv2.line(img, (x0, y0), (x0 + int(rng.integers(10, 80)), y0), (30, 30, 30), 2)
    background: np.ndarray = np.clip(img, 0, 255).astype(np.float32)
    return background


def _phone_screen(
    rng: np.random.Generator, text: str, code_px: float, dark: bool
) -> tuple[np.ndarray, int]:
    """A phone screen (light or dark mode) showing the code; returns (image, symbol px)."""
    modules = qr_modules(text, border=0)
    n = modules.shape[0]
    sym = max(n, round(code_px))
    symbol = cv2.resize(modules, (sym, sym), interpolation=cv2.INTER_NEAREST)
    quiet = max(4, round(4 * sym / n))
    margin_x, margin_top, margin_bottom = quiet + sym // 8, quiet + sym // 3, quiet + sym // 4
    sw, sh = sym + 2 * margin_x, sym + margin_top + margin_bottom
    paper, ink = (28.0, 235.0) if dark else (250.0, 20.0)
    screen = np.full((sh, sw), paper, np.uint8)
    # the app's header bar and a line of text under the code
    cv2.rectangle(screen, (0, 0), (sw, margin_top // 3), (ink + paper) / 2, -1)
    cv2.putText(screen, "B-****-01", (margin_x, sh - margin_bottom // 3),
                cv2.FONT_HERSHEY_SIMPLEX, max(0.4, sym / 400), ink, 1)
    screen[margin_top:margin_top + sym, margin_x:margin_x + sym] = np.where(
        symbol > 127, paper, ink)
    return screen.astype(np.float32), sym


def _tilt_corners(
    rng: np.random.Generator, sw: int, sh: int, tilt_deg: float, cx: float, cy: float
) -> np.ndarray:
    """Screen corners after an in-plane rotation and an out-of-plane tilt of ``tilt_deg``."""
    roll = math.radians(rng.uniform(-25, 25))
    axis = rng.uniform(0, 2 * math.pi)
    t = math.radians(tilt_deg)
    pts = np.array([[-sw / 2, -sh / 2, 0], [sw / 2, -sh / 2, 0],
                    [sw / 2, sh / 2, 0], [-sw / 2, sh / 2, 0]], np.float64)
    kx, ky = math.cos(axis), math.sin(axis)  # tilt about an in-plane axis (Rodrigues)
    kk = np.array([[0, 0, ky], [0, 0, -kx], [-ky, kx, 0]])
    rot = np.eye(3) + math.sin(t) * kk + (1 - math.cos(t)) * (kk @ kk)
    rz = np.array([[math.cos(roll), -math.sin(roll), 0], [math.sin(roll), math.cos(roll), 0],
                   [0, 0, 1]])
    p = (rz @ rot @ pts.T).T
    focal = 1.6 * max(sw, sh) + 600
    z = p[:, 2] + focal * 1.3
    out = np.stack([cx + p[:, 0] * focal * 1.3 / z, cy + p[:, 1] * focal * 1.3 / z], axis=1)
    return out.astype(np.float32)


def make_frame(spec: FrameSpec, seed: int = 1) -> np.ndarray:
    """The BGR frame described by ``spec`` (deterministic for a given seed)."""
    rng = np.random.default_rng([seed, spec.index])
    w, h = spec.width, spec.height
    img = _background(rng, w, h)
    if spec.text is not None:
        screen, _ = _phone_screen(rng, spec.text, spec.code_px, spec.dark_mode)
        sh, sw = screen.shape
        span = max(sw, sh) * 0.55
        cx = rng.uniform(min(span, w / 2), max(w - span, w / 2))
        cy = rng.uniform(min(span, h / 2), max(h - span, h / 2))
        src = np.array([[0, 0], [sw, 0], [sw, sh], [0, sh]], np.float32)
        dst = _tilt_corners(rng, sw, sh, spec.tilt_deg, cx, cy)
        m = cv2.getPerspectiveTransform(src, dst)
        warped = cv2.warpPerspective(screen, m, (w, h), flags=cv2.INTER_LINEAR)
        mask = cv2.warpPerspective(np.ones_like(screen), m, (w, h), flags=cv2.INTER_LINEAR)
        if spec.low_contrast:
            lo, hi = rng.uniform(60, 90), rng.uniform(150, 180)
            warped = lo + warped * (hi - lo) / 255.0
        if spec.glare:
            gx, gy = float(rng.uniform(dst[:, 0].min(), dst[:, 0].max())), float(
                rng.uniform(dst[:, 1].min(), dst[:, 1].max()))
            yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
            r = spec.code_px * rng.uniform(0.15, 0.3)
            blob = np.exp(-(((xx - gx) ** 2) + ((yy - gy) ** 2) / 4.0) / (2 * r * r))
            warped = warped + blob * rng.uniform(70, 130) * mask
        # the screen is emissive: a slight colour cast, then onto the counter
        for ch in range(3):
            img[:, :, ch] = img[:, :, ch] * (1 - mask) + warped * mask * rng.uniform(0.9, 1.05)
        if spec.blur_modules > 0:
            sigma = spec.blur_modules * spec.module_px
            img = cv2.GaussianBlur(img, (0, 0), sigmaX=sigma)
    img += rng.normal(0, rng.uniform(1.5, 6.0), img.shape).astype(np.float32)
    frame: np.ndarray = np.clip(img, 0, 255).astype(np.uint8)
    if spec.jpeg_quality:
        ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, spec.jpeg_quality])
        decoded = cv2.imdecode(buf, cv2.IMREAD_COLOR) if ok else None
        if decoded is not None:
            frame = np.asarray(decoded)
    return frame


def frame_specs(count: int, seed: int = 1, idle_share: float = 0.2) -> list[FrameSpec]:
    """``count`` frame descriptions, about ``idle_share`` of them without a code."""
    rng = np.random.default_rng(seed)
    texts = bc1_texts(8, seed=seed % 200 + 1)
    n_modules = qr_modules(texts[0], border=0).shape[0]
    specs = []
    for i in range(count):
        width, height = (1280, 720) if i % 3 else (640, 480)
        if rng.random() < idle_share:
            specs.append(FrameSpec(i, width, height, None))
            continue
        code_px = float(rng.uniform(150, min(400, 0.62 * height)))
        blur = float(rng.choice([0.0, 0.0, rng.uniform(0.1, 0.4), rng.uniform(0.4, 0.7)]))
        specs.append(FrameSpec(
            i, width, height, texts[i % len(texts)], code_px=code_px,
            module_px=code_px / n_modules, tilt_deg=float(rng.uniform(0, 25)),
            blur_modules=blur, dark_mode=bool(rng.random() < 0.25),
            glare=bool(rng.random() < 0.2), low_contrast=bool(rng.random() < 0.25),
            jpeg_quality=int(rng.integers(40, 90)) if rng.random() < 0.6 else 0,
        ))
    return specs


def frames(specs: list[FrameSpec], seed: int = 1) -> Iterator[tuple[FrameSpec, np.ndarray]]:
    for spec in specs:
        yield spec, make_frame(spec, seed)
