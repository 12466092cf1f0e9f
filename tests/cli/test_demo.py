"""``merchant-pos demo --screenshot``: server, seed, enrollment, sync and GUI, end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage


def test_demo_runs_a_scripted_sale_and_saves_the_window(tmp_path: Path) -> None:
    png = tmp_path / "counter.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-m", "merchant_pos.cli", "demo", "--data-dir", str(tmp_path / "d"),
         "--merchant", "baby-shop-01", "--lang", "en", "--screenshot", str(png)],
        capture_output=True, text=True, timeout=240, check=False, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    image = QImage(str(png))
    assert (image.width(), image.height()) == (1280, 800)
    seed = json.loads((tmp_path / "d" / "server" / "demo.json").read_text(encoding="utf-8"))
    assert len(seed["beneficiaries"]) >= 30
    assert any((tmp_path / "d" / "server").glob("*.png"))  # QR codes to try


def test_demo_restarts_on_the_same_data(tmp_path: Path) -> None:
    from merchant_pos.app import start_demo

    first = start_demo(tmp_path, "clinic-01")
    first.close()
    again = start_demo(tmp_path, "clinic-01")  # a new port; the one-time code is spent
    try:
        token = again.pos.sync.tokens.load() if again.pos.sync else None
        assert token is not None and token.server_url == again.base_url
        report = again.pos.sync.sync_now() if again.pos.sync else None
        assert report is not None and report.ok, report
    finally:
        again.close()


def test_demo_without_a_screen_says_what_to_do() -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    out = subprocess.run([sys.executable, "-m", "merchant_pos.cli", "demo"],
                         capture_output=True, text=True, timeout=60, check=False, env=env)
    assert out.returncode == 1
    assert "--screenshot" in out.stderr
