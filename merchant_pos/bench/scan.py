"""Scanning: decode rate and time per frame of the scan pipeline vs a raw zxing-cpp call.

A deterministic generator makes webcam-like frames (1280x720 and 640x480; a
phone screen with a BC1 code 150-400 px wide, tilted up to 25°, blurred,
noisy, low contrast, glare, dark mode, JPEG artefacts) plus frames without
any code. Every decoder setting runs on the same frames in the same run,
beside the raw zxing-cpp call (``zxingcpp.read_barcodes(frame, formats=QR)``
on the full-resolution BGR frame) as the baseline.
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from merchant_pos.bench._stats import Timing

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


# --------------------------------------------------------------------------
# Settings under test. Each maps a BGR frame to the texts read.

Reader = Callable[[np.ndarray], list[str]]


def _settings(with_opencv: bool) -> dict[str, Reader]:
    import zxingcpp

    from merchant_pos.scan.decoders import (
        FramePipeline,
        GuardedDecoder,
        PyzbarDecoder,
        ZxingDecoder,
    )

    qr = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)

    def raw_zxing(frame: np.ndarray) -> list[str]:
        return [b.text for b in zxingcpp.read_barcodes(frame, formats=qr)]

    def raw_zxing_all(frame: np.ndarray) -> list[str]:
        return [b.text for b in zxingcpp.read_barcodes(frame)]

    settings: dict[str, Reader] = {
        RAW: raw_zxing,
        "raw zxing-cpp, all formats": raw_zxing_all,
        DEFAULT: FramePipeline(GuardedDecoder(ZxingDecoder())),
        "pipeline zxing, no rescue": FramePipeline(GuardedDecoder(ZxingDecoder(rescue=False))),
        "pipeline zxing, max width 640": FramePipeline(GuardedDecoder(ZxingDecoder()), 640),
        "pipeline pyzbar (+invert retry)": FramePipeline(GuardedDecoder(PyzbarDecoder())),
        "pipeline pyzbar, no invert retry": FramePipeline(
            GuardedDecoder(PyzbarDecoder(try_invert=False))),
    }
    if with_opencv:
        detector = cv2.QRCodeDetector()

        def opencv(frame: np.ndarray) -> list[str]:
            try:
                text, _, _ = detector.detectAndDecode(frame)
            except (cv2.error, UnicodeDecodeError):
                return []
            return [text] if text else []

        settings["raw OpenCV QRCodeDetector"] = opencv
    return settings


RAW = "raw zxing-cpp (QR only, BGR frame)"
DEFAULT = "pipeline zxing (default)"


@dataclass
class Tally:
    label: str
    ms: list[float]
    idle_ms: list[float]
    ms_720: list[float]
    decoded: set[int]
    wrong: int = 0

    def rate(self, indexes: list[int]) -> float:
        return 100.0 * len(self.decoded.intersection(indexes)) / max(1, len(indexes))


def measure(specs: list[FrameSpec], settings: dict[str, Reader], seed: int) -> dict[str, Tally]:
    """Runs every setting on every frame, interleaved frame by frame (rotating
    the order) so that load from elsewhere on the machine hits all alike."""
    tallies = {k: Tally(k, [], [], [], set()) for k in settings}
    names = list(settings)
    clock = time.perf_counter
    for n, (spec, frame) in enumerate(frames(specs, seed)):
        order = names[n % len(names):] + names[:n % len(names)]
        for name in order:
            t0 = clock()
            texts = settings[name](frame)
            ms = (clock() - t0) * 1000.0
            tally = tallies[name]
            tally.ms.append(ms)
            if spec.width == 1280:
                tally.ms_720.append(ms)
            if spec.text is None:
                tally.idle_ms.append(ms)
                tally.wrong += len(texts)
            elif spec.text in texts:
                tally.decoded.add(spec.index)
            tally.wrong += sum(1 for t in texts if t != spec.text and spec.text is not None)
    return tallies


def _med(values: list[float]) -> float:
    return Timing("", values).median if values else float("nan")


def _p95(values: list[float]) -> float:
    return Timing("", values).p95 if values else float("nan")


def report(specs: list[FrameSpec], tallies: dict[str, Tally]) -> list[str]:
    codes = [s.index for s in specs if s.text is not None]
    easy = [s.index for s in specs if s.easy]
    idle = len(specs) - len(codes)
    raw = tallies[RAW]
    raw_mean = sum(raw.ms) / len(raw.ms)
    lines = [
        f"{len(specs)} frames: {len(codes)} with a BC1 code, {idle} without; "
        f"{len(easy)} with modules >= 4 px and blur <= 0.4 module",
        f"{'setting':<34} {'decoded':>8} {'>=4px':>7} {'median':>7} {'p95':>7} "
        f"{'720p':>7} {'idle':>7} {'mean':>7} {'x raw':>6} {'lost':>5} {'wrong':>5}",
        f"{'':<34} {'%':>8} {'%':>7} {'ms':>7} {'ms':>7} {'ms':>7} {'ms':>7} {'ms':>7} "
        f"{'mean':>6} {'':>5} {'':>5}",
    ]
    for t in tallies.values():
        mean = sum(t.ms) / len(t.ms)
        lost = len(raw.decoded - t.decoded)
        lines.append(
            f"{t.label:<34} {t.rate(codes):8.1f} {t.rate(easy):7.1f} {_med(t.ms):7.2f} "
            f"{_p95(t.ms):7.2f} {_med(t.ms_720):7.2f} {_med(t.idle_ms):7.2f} {mean:7.2f} "
            f"{mean / raw_mean:6.2f} {lost:5d} {t.wrong:5d}"
        )
    d = tallies[DEFAULT]
    lines += [
        "",
        "decoded: frames whose BC1 text was read; >=4px: the same on the frames with modules",
        ">= 4 px and blur <= 0.4 module (target >= 99%); idle: median ms on frames without a",
        "code; x raw: mean time per frame relative to the raw call (target <= 1.2);",
        "lost: frames the raw call read and this setting did not (target 0).",
        f"default pipeline vs raw: decoded {len(d.decoded)} vs {len(raw.decoded)} frames, "
        f"median {_med(d.ms) / _med(raw.ms):.2f}x, idle {_med(d.idle_ms) / _med(raw.idle_ms):.2f}x,"
        f" mean {sum(d.ms) / len(d.ms) / raw_mean:.2f}x",
        "",
        *breakdown(specs, tallies),
    ]
    return lines


def breakdown(specs: list[FrameSpec], tallies: dict[str, Tally]) -> list[str]:
    """Decode rate (%) by kind of frame, to see what each setting misses."""
    groups = {
        ">=4px sharp": [s for s in specs if s.easy],
        "<4px sharp": [s for s in specs if s.text and s.blur_modules <= 0.4
                            and s.module_px < 4],
        "blur>0.4": [s for s in specs if s.text and s.blur_modules > 0.4],
        "dark": [s for s in specs if s.text and s.dark_mode],
        "glare": [s for s in specs if s.text and s.glare],
        "low contr.": [s for s in specs if s.text and s.low_contrast],
        "JPEG": [s for s in specs if s.text and s.jpeg_quality],
    }
    head = f"{'decoded % by kind of frame':<34}" + "".join(f"{g:>12}" for g in groups)
    counts = f"{'(frames; sharp = blur <= 0.4)':<34}" + "".join(
        f"{len(v):>12}" for v in groups.values())
    rows = [head, counts]
    for t in tallies.values():
        rates = "".join(f"{t.rate([s.index for s in v]):12.1f}" for v in groups.values())
        rows.append(f"{t.label:<34}{rates}")
    return rows


# --------------------------------------------------------------------------
# Public QR samples (photos and screenshots): photo pipeline vs raw zxing-cpp.


def samples_report(root: Path) -> list[str]:
    import csv

    import zxingcpp

    from merchant_pos.scan.decoders import PyzbarDecoder, to_gray
    from merchant_pos.scan.photo import decode_image_file

    def same(expected: str, texts: list[str]) -> bool:
        want = expected.replace("\r\n", "\n").strip()
        return any(t.replace("\r\n", "\n").strip() == want for t in texts)

    with (root / "index.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    counts = {"raw": 0, "ours": 0, "pyzbar": 0}
    pyzbar = PyzbarDecoder()
    for row in rows:
        image = cv2.imread(str(root / row["file"]), cv2.IMREAD_COLOR)
        if image is None:
            continue
        counts["raw"] += same(row["expected"], [b.text for b in zxingcpp.read_barcodes(image)])
        counts["ours"] += same(row["expected"], decode_image_file(root / row["file"]).texts)
        counts["pyzbar"] += same(row["expected"], pyzbar.decode(to_gray(image)))
    n = len(rows)
    return [
        f"public QR samples ({root}): {n} images",
        f"  raw zxing-cpp call (defaults)      {counts['raw']:4d} / {n}",
        f"  photo pipeline (merchant-pos decode) {counts['ours']:2d} / {n}",
        f"  pyzbar                             {counts['pyzbar']:4d} / {n}",
    ]


def _find_samples() -> Path | None:
    here = Path(__file__).resolve().parents[2]
    for candidate in (
        os.environ.get("MERCHANT_POS_QR_SAMPLES"),
        here / "tests" / "data" / "qr-samples",
        here.parent / "shared" / "qr-samples",
    ):
        if candidate and (Path(candidate) / "index.csv").is_file():
            return Path(candidate)
    return None


# --------------------------------------------------------------------------
# Memory over a long run at 30 fps through the real capture and decode threads.


def rss_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # peak, not current


def memory_run(seconds: float, seed: int) -> list[str]:
    import tempfile

    from merchant_pos.scan.capture import CameraSource
    from merchant_pos.scan.scanner import ScanService

    specs = frame_specs(150, seed=seed + 1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "loop.avi"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30, (1280, 720))
        for spec in specs:
            if spec.width == 1280:
                writer.write(make_frame(spec, seed))
        writer.release()
        scans = [0]
        service = ScanService(
            CameraSource(path=path, realtime=True, loop=True),
            on_scan=lambda e: scans.__setitem__(0, scans[0] + 1),
        )
        samples: list[tuple[float, float]] = []
        service.start()
        t0 = time.monotonic()
        try:
            while (elapsed := time.monotonic() - t0) < seconds:
                samples.append((elapsed, rss_mb()))
                time.sleep(min(5.0, max(0.0, seconds - elapsed)))
            samples.append((time.monotonic() - t0, rss_mb()))
        finally:
            stopped = service.stop()
    warm = [s for s in samples if s[0] >= min(20.0, seconds / 4)] or samples
    start, end = warm[0][1], warm[-1][1]
    frames_read = service.capture.frames_read
    return [
        f"memory: {seconds:.0f} s at 30 fps of 1280x720 frames (looping MJPG video through the",
        "capture and decode threads, default pipeline)",
        f"  frames captured {frames_read} ({frames_read / seconds:.1f}/s), decoded "
        f"{service.stats.frames_decoded}, dropped as stale {service.slot.dropped}, scans "
        f"{scans[0]}, decoder failures {service.decoder_failures}, threads stopped: {stopped}",
        f"  RSS at {warm[0][0]:.0f} s {start:.1f} MB, at {warm[-1][0]:.0f} s {end:.1f} MB "
        f"(change {end - start:+.1f} MB), max {max(s[1] for s in warm):.1f} MB",
    ]


# --------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--frames", type=int, default=300, help="frames to generate (300)")
    parser.add_argument("--quick", action="store_true", help="60 frames, no samples")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--opencv", action="store_true", help="also OpenCV's QR detector (slow)")
    parser.add_argument("--memory", type=float, default=0.0, metavar="SECONDS",
                        help="also a memory run of this length at 30 fps (issue: 600)")
    parser.add_argument("--save-frames", type=Path, metavar="DIR",
                        help="write the generated frames as PNG for a look")


def run(args: argparse.Namespace) -> int:
    count = 60 if args.quick else args.frames
    specs = frame_specs(count, seed=args.seed)
    if args.save_frames:
        args.save_frames.mkdir(parents=True, exist_ok=True)
        for spec, frame in frames(specs[:24], args.seed):
            cv2.imwrite(str(args.save_frames / f"frame{spec.index:03d}.png"), frame)
    tallies = measure(specs, _settings(args.opencv), args.seed)
    print("\n".join(report(specs, tallies)))
    samples = None if args.quick else _find_samples()
    if samples is not None:
        print()
        print("\n".join(samples_report(samples)))
    if args.memory > 0:
        print()
        print("\n".join(memory_run(args.memory, args.seed)))
    return 0
