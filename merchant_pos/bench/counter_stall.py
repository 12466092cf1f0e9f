"""The counter window's longest event-loop stall while the camera runs and a sync uploads.

The real counter window (offscreen, 1366x768, the start-up heap frozen as
the app does) over a real ledger holding ``--count`` redemptions queued
through ``RedemptionService.redeem``; the embedded reference server runs in
a child process, as the foundation's server runs on another machine (the
demo's in-process server would put the server's ingest into the window's
process). A 5 ms timer on the UI thread records its gaps; the longest gap is
the longest stall. Phases, in one run, one after the other:

- idle window (the baseline: the same window, nothing else running),
- camera only (a generated 1280x720 MJPG video read at 30 fps through the
  capture and decode threads, preview shown),
- camera + sync (the status bar's own sync of the whole backlog, to the end),
- idle window again (to see the machine's load drift).

Each round runs twice on fresh copies of the same backlog: the push in the
window's process (what ``open_pos`` does) and from a child process (the option
in ``merchant_pos/sync/push_process.py``, which ``open_pos`` leaves off), one
after the other.

Collections the garbage collector ran during each phase are counted by
generation (``gc.callbacks``) with the longest one and its thread.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TARGET_MS = 50.0
TIMER_MS = 5


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--count", type=int, default=10_000, help="queued redemptions (10k)")
    parser.add_argument("--phase-seconds", type=float, default=4.0,
                        help="length of the idle and camera-only phases (4 s)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds, each on a fresh copy of the same backlog (3)")


@dataclass
class Phase:
    name: str
    gaps: list[float] = field(default_factory=list)
    seconds: float = 0.0
    gc_runs: dict[int, int] = field(default_factory=dict)
    gc_longest: tuple[float, int, str] = (0.0, -1, "")  # ms, generation, thread

    @property
    def longest(self) -> float:
        return max(self.gaps, default=0.0)

    @property
    def p99(self) -> float:
        ordered = sorted(self.gaps) or [0.0]
        return ordered[int(0.99 * (len(ordered) - 1))]

    def row(self) -> str:
        runs = ", ".join(f"gen{g} x{n}" for g, n in sorted(self.gc_runs.items())) or "none"
        ms, gen, thread = self.gc_longest
        worst = f"; longest gen{gen} {ms:.1f} ms on {thread}" if gen >= 0 else ""
        return (f"  {self.name:<24} {self.seconds:5.1f} s  longest stall {self.longest:6.1f} ms"
                f"  p99 gap {self.p99:5.1f} ms  collections: {runs}{worst}")


class GcWatch:
    """Counts the collections (and the longest) while a phase is on."""

    def __init__(self) -> None:
        self.phase: Phase | None = None
        self._started: dict[int, float] = {}

    def __call__(self, event: str, info: dict[str, Any]) -> None:
        phase, ident = self.phase, threading.get_ident()
        if event == "start":
            self._started[ident] = time.perf_counter()
            return
        began = self._started.pop(ident, None)
        if phase is None or began is None:
            return
        gen = int(info.get("generation", -1))
        phase.gc_runs[gen] = phase.gc_runs.get(gen, 0) + 1
        ms = (time.perf_counter() - began) * 1000.0
        if ms > phase.gc_longest[0]:
            phase.gc_longest = (ms, gen, threading.current_thread().name)


def _write_video(path: Path, frames: int) -> Path:
    import cv2

    from merchant_pos.bench._scan_frames import frame_specs, make_frame

    specs = [s for s in frame_specs(3 * frames, seed=9) if s.width == 1280][:frames]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30, (1280, 720))
    for spec in specs:
        writer.write(make_frame(spec, seed=9))
    writer.release()
    return path


def _backlog(folder: Path, count: int) -> Path:
    """A server database and an enrolled counter ledger with ``count`` queued
    redemptions, in ``folder`` (copied for each round); returns ``folder``."""
    from merchant_pos.bench.sync import ISS, ServerProcess, queue_redemptions
    from merchant_pos.domain.cose import ALG_EDDSA
    from merchant_pos.domain.issuing import IssuerKey
    from merchant_pos.server import admin
    from merchant_pos.store import Ledger
    from merchant_pos.sync.clock import CorrectedClock
    from merchant_pos.sync.engine import SyncEngine
    from merchant_pos.sync.enrollment import enroll_device
    from merchant_pos.sync.ledger_port import SyncLedger
    from merchant_pos.sync.token_store import TokenStore

    now = int(time.time())
    key = IssuerKey.generate(ALG_EDDSA, ISS, now - 86_400, now + 400 * 86_400)
    server = ServerProcess(folder / "server", key, now)
    try:
        data = folder / "pos"
        clock = CorrectedClock()
        ledger = Ledger.open(data, clock=clock.now)
        sync_ledger = SyncLedger(ledger)
        tokens = TokenStore(data, use_keyring=False)
        enroll_device(sync_ledger, tokens, server.base_url,
                      admin.create_enrollment_code(server.engine, "M-BENCH", hours=1, now=now),
                      "bench", clock=clock)
        if not SyncEngine(sync_ledger, tokens, clock=clock).sync_now().ok:
            raise RuntimeError("the first sync failed")
        fill_s = queue_redemptions(ledger, key, now, count, beneficiaries=min(2000, count))
        ledger.close()
    finally:
        server.stop()
    print(f"stall run: {count} redemptions queued in {fill_s:.1f} s (set-up, not measured)")
    return folder


class _Server:
    """The embedded server in a child process, on an existing database."""

    def __init__(self, db: Path) -> None:
        self.child = subprocess.Popen(
            [sys.executable, "-m", "merchant_pos.bench", "sync", "--serve-db", f"sqlite:///{db}"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.child.stdout is not None
        self.base_url = f"http://127.0.0.1:{int(self.child.stdout.readline())}"

    def stop(self) -> None:
        assert self.child.stdin is not None and self.child.stdout is not None
        self.child.stdin.close()
        self.child.wait(30)
        self.child.stdout.close()


def measure(count: int, phase_seconds: float, rounds: int = 1,
            video_frames: int = 60) -> list[str]:
    """Runs the phases ``rounds`` times on copies of one backlog; the report's lines."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from merchant_pos.ui.theme import apply_theme

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    apply_theme(app)
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="mpos-bench-stall-") as tmp:
        template = _backlog(Path(tmp) / "template", count)
        video = _write_video(Path(tmp) / "cam.avi", video_frames)
        for n in range(rounds):
            for child in (False, True):
                folder = Path(tmp) / f"round{n}-{int(child)}"
                shutil.copytree(template, folder)
                lines += _round(app, folder, video, phase_seconds, child)
    return lines


def _round(app: Any, folder: Path, video: Path, phase_seconds: float,
           child: bool) -> list[str]:
    from merchant_pos.app import open_pos
    from merchant_pos.scan.capture import CameraSource
    from merchant_pos.scan.scanner import ScanSettings
    from merchant_pos.sync.engine import SERVER_URL
    from merchant_pos.sync.token_store import DeviceToken
    from merchant_pos.ui.counter_app import counter_services
    from merchant_pos.ui.counter_window import CounterWindow
    from merchant_pos.ui.feedback import Feedback
    from merchant_pos.ui.heap import freeze_startup_heap
    from merchant_pos.ui.scan_camera import CameraWorker

    server = _Server(folder / "server" / "server.sqlite3")
    pos = open_pos(folder / "pos", use_keyring=False)
    try:
        sync = pos.sync
        assert sync is not None
        sync.push_process = child
        if child:
            sync.child_min_pending = 1  # small --count runs too (the app's threshold: 1,000)
        token = sync.tokens.load()
        assert token is not None
        sync.tokens.save(DeviceToken(server.base_url, token.device_id, token.secret))
        sync.ledger.set_setting(SERVER_URL, server.base_url)
        pending = sync.ledger.pending_count()
        services = counter_services(pos, "zh_CN")
        services.feedback = Feedback()
        window = CounterWindow(services, pos.operators.sign_in("bench", "2468"))
        window.status.timer.stop()  # this run starts the one sync itself
        window.resize(1366, 768)
        window.show()
        camera = CameraWorker(CameraSource(path=video, realtime=True, loop=True),
                              ScanSettings(decoder="zxing"))
        window.preview.attach(camera)
        app.processEvents()
        frozen = freeze_startup_heap()  # what the app does once its window is up
        watch = GcWatch()
        gc.callbacks.append(watch)
        try:
            phases = [_run_phase(app, watch, Phase("idle window"), phase_seconds)]
            camera.start()
            phases.append(_run_phase(app, watch, Phase("camera"), phase_seconds))
            window.status.sync_now()
            phases.append(_run_phase(app, watch, Phase("camera + sync"), 900.0,
                                     until=lambda: not sync.running))
            shown = window.preview.frames_shown
            decoded = camera.service.stats.frames_decoded
            camera.stop()
            phases.append(_run_phase(app, watch, Phase("idle window again"), phase_seconds))
        finally:
            gc.callbacks.remove(watch)
        left = sync.ledger.pending_count()
        in_child = sync.child_pushes
        window.close()
        window.deleteLater()
        app.processEvents()
    finally:
        pos.close()
        server.stop()
    sync_phase = phases[2]
    verdict = "met" if sync_phase.longest <= TARGET_MS else "NOT met"
    where = "from a child process" if in_child else "in the window's process"
    return [
        f"push {where}: event loop of the counter window ({TIMER_MS} ms timer), camera "
        f"1280x720 at 30 fps ({shown} preview frames shown, {decoded} decoded), sync of "
        f"{pending} queued redemptions ({pending - left} pushed), {frozen} objects frozen",
        *(p.row() for p in phases),
        f"  longest stall during camera + sync {sync_phase.longest:.1f} ms (target <= "
        f"{TARGET_MS:.0f} ms: {verdict}); idle window {phases[0].longest:.1f} / "
        f"{phases[-1].longest:.1f} ms before / after",
    ]


def _run_phase(app: Any, watch: GcWatch, phase: Phase, seconds: float,
               until: Callable[[], bool] | None = None) -> Phase:
    from PySide6.QtCore import QTimer

    last = [time.perf_counter()]

    def tick() -> None:
        t = time.perf_counter()
        phase.gaps.append((t - last[0]) * 1000.0)
        last[0] = t

    timer = QTimer()
    timer.setInterval(TIMER_MS)
    timer.timeout.connect(tick)
    watch.phase = phase
    t0 = last[0] = time.perf_counter()
    timer.start()
    end = t0 + seconds
    while time.perf_counter() < end:
        app.processEvents()
        if until is not None and time.perf_counter() - t0 > 0.5 and until():
            break
        time.sleep(0.001)
    timer.stop()
    watch.phase = None
    phase.seconds = time.perf_counter() - t0
    return phase


def run(args: argparse.Namespace) -> int:
    print("\n".join(measure(args.count, args.phase_seconds, args.rounds)))
    return 0
