"""Scanning: decode rate and time per frame of the scan pipeline vs a raw zxing-cpp call.

A deterministic generator makes webcam-like frames (1280x720 and 640x480; a
phone screen with a BC1 code 150-400 px wide, tilted up to 25°, blurred,
noisy, low contrast, glare, dark mode, JPEG artefacts) plus frames without
any code. Every decoder setting runs on the same frames in the same run,
beside the raw zxing-cpp call (``zxingcpp.read_barcodes(gray, formats=QR)``
on the full-resolution grey frame) as the baseline. The grey frame is what
the capture hands the decode thread (``Frame.gray``: the Y plane of the
camera's YUYV or JPEG data, see ``merchant_pos/scan/gray_capture.py``);
settings marked "BGR in" take the BGR frame instead and convert it, as the
camera path did before (the "before" row: BGR in, rescue unbounded). The
"old rescue" row runs the rescue passes as they were before issue 14
(``merchant_pos/bench/_scan_legacy.py``) beside the current ones.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from merchant_pos.bench._scan_frames import FrameSpec, frame_specs, frames, make_frame
from merchant_pos.bench._stats import Timing

if TYPE_CHECKING:
    from merchant_pos.scan.decoders import ZxingDecoder

# --------------------------------------------------------------------------
# Settings under test. Each maps a frame (BGR and its grey) to the texts read.


@dataclass(frozen=True)
class BenchFrame:
    bgr: np.ndarray
    gray: np.ndarray


Reader = Callable[[BenchFrame], list[str]]


def _gray_in(read: Callable[[np.ndarray], list[str]]) -> Reader:
    return lambda f: read(f.gray)


def _bgr_in(read: Callable[[np.ndarray], list[str]]) -> Reader:
    return lambda f: read(f.bgr)


def _settings(with_opencv: bool, default: ZxingDecoder | None = None) -> dict[str, Reader]:
    """Every setting; ``default``, if given, is the decoder of the default one
    (so that its rescue counts can be reported)."""
    import zxingcpp

    from merchant_pos.bench._scan_legacy import OldRescueDecoder
    from merchant_pos.scan.decoders import (
        FramePipeline,
        GuardedDecoder,
        PyzbarDecoder,
        ZxingDecoder,
    )
    from merchant_pos.scan.rescue import DEFAULT_SHARE

    qr = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)

    def raw_zxing(frame: np.ndarray) -> list[str]:
        return [b.text for b in zxingcpp.read_barcodes(frame, formats=qr)]

    def raw_zxing_same_options(frame: np.ndarray) -> list[str]:
        return [b.text for b in zxingcpp.read_barcodes(frame, formats=qr, try_rotate=False)]

    def raw_zxing_all(frame: np.ndarray) -> list[str]:
        return [b.text for b in zxingcpp.read_barcodes(frame)]

    def pipeline(rescue: bool = True, budget: float | None = DEFAULT_SHARE,
                 max_width: int | None = None) -> Callable[[np.ndarray], list[str]]:
        return FramePipeline(GuardedDecoder(
            ZxingDecoder(rescue=rescue, rescue_budget=budget)), max_width)

    settings: dict[str, Reader] = {
        RAW: _gray_in(raw_zxing),
        RAW_SAME: _gray_in(raw_zxing_same_options),
        "raw zxing-cpp, all formats": _gray_in(raw_zxing_all),
        BEFORE: _bgr_in(pipeline(budget=None)),
        DEFAULT: _gray_in(FramePipeline(GuardedDecoder(default or ZxingDecoder()))),
        "pipeline zxing, BGR in": _bgr_in(pipeline()),
        "pipeline zxing, rescue unbounded": _gray_in(pipeline(budget=None)),
        OLD: _gray_in(FramePipeline(GuardedDecoder(OldRescueDecoder()))),
        "pipeline zxing, no rescue": _gray_in(pipeline(rescue=False)),
        "pipeline zxing, max width 640": _gray_in(pipeline(max_width=640)),
        "pipeline pyzbar (+invert retry)": _gray_in(
            FramePipeline(GuardedDecoder(PyzbarDecoder()))),
        "pipeline pyzbar, no invert retry": _gray_in(FramePipeline(
            GuardedDecoder(PyzbarDecoder(try_invert=False)))),
    }
    if with_opencv:
        detector = cv2.QRCodeDetector()

        def opencv(frame: BenchFrame) -> list[str]:
            try:
                text, _, _ = detector.detectAndDecode(frame.gray)
            except (cv2.error, UnicodeDecodeError):
                return []
            return [text] if text else []

        settings["raw OpenCV QRCodeDetector"] = opencv
    return settings


RAW = "raw zxing-cpp (QR only, grey)"
DEFAULT = "pipeline zxing (default)"
BEFORE = "before: BGR in, rescue unbounded"
RAW_SAME = "raw zxing-cpp, try_rotate off"  # the options the pipeline uses
OLD = "pipeline zxing, old rescue"  # the rescue passes before issue 14's cheaper ones


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
    for n, (spec, bgr) in enumerate(frames(specs, seed)):
        frame = BenchFrame(bgr, cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY))
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
    d, b, o = tallies[DEFAULT], tallies[BEFORE], tallies[OLD]
    lines += [
        "",
        "decoded: frames whose BC1 text was read; >=4px: the same on the frames with modules",
        ">= 4 px and blur <= 0.4 module (target >= 99%); idle: median ms on frames without a",
        "code; x raw: mean time per frame relative to the raw call on the grey frame",
        "(target <= 1.2); lost: frames the raw call read and this setting did not (target 0).",
        f"before (BGR in, rescue unbounded) vs raw: decoded {len(b.decoded)} vs "
        f"{len(raw.decoded)} frames, mean {sum(b.ms) / len(b.ms) / raw_mean:.2f}x",
        f"after (default: grey from the capture, rescue budget) vs raw: decoded "
        f"{len(d.decoded)} vs {len(raw.decoded)} frames, "
        f"median {_med(d.ms) / _med(raw.ms):.2f}x, idle {_med(d.idle_ms) / _med(raw.idle_ms):.2f}x,"
        f" mean {sum(d.ms) / len(d.ms) / raw_mean:.2f}x "
        f"({sum(d.ms) / sum(tallies[RAW_SAME].ms):.2f}x the raw call with the pipeline's "
        "options: no 90-degree passes, which only linear codes need)",
        f"old rescue (sharpen, enlarge; ms budget) vs raw: decoded {len(o.decoded)} vs "
        f"{len(raw.decoded)} frames, mean {sum(o.ms) / len(o.ms) / raw_mean:.2f}x",
        "",
        *breakdown(specs, tallies),
    ]
    return lines


def rescue_line(decoder: ZxingDecoder, specs: list[FrameSpec]) -> str:
    """What the default setting's rescue did, in events and pixels (not time)."""
    from merchant_pos.scan.rescue import PASS_WEIGHT

    budget = decoder.budget
    if budget is None:
        return "rescue (default setting): unbounded"
    frame_px = sum(s.width * s.height for s in specs)
    return (
        f"rescue (default setting): {budget.passes} passes read {decoder.rescued}"
        f" frames; {budget.skipped} refused by the budget, "
        f"{decoder.repeats.skipped} skipped as repeats; their pixels x "
        f"{PASS_WEIGHT:g} = {100.0 * budget.spent / frame_px:.1f} % of the primary reads' "
        f"pixels (budget: {100.0 * budget.share:.0f} % plus a burst)")


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
    from merchant_pos.scan.decoders import ZxingDecoder

    default = ZxingDecoder()
    tallies = measure(specs, _settings(args.opencv, default), args.seed)
    print("\n".join(report(specs, tallies)))
    print(rescue_line(default, specs))
    samples = None if args.quick else _find_samples()
    if samples is not None:
        print()
        print("\n".join(samples_report(samples)))
    if args.memory > 0:
        print()
        print("\n".join(memory_run(args.memory, args.seed)))
    return 0
