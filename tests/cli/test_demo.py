"""``merchant-pos demo --screenshot``: server, seed, enrollment, sync and GUI, end to end."""

from __future__ import annotations

import json
import os
import shlex
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
    assert (image.width(), image.height()) == (1366, 768)
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


def _no_screen_hint(argv: list[str], cwd: Path, **extra: str) -> list[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "MPOS_LAUNCHER")}
    env.update(extra)
    out = subprocess.run([*argv, "demo", "--lang", "en"], capture_output=True, text=True,
                         timeout=60, check=False, env=env, cwd=cwd)
    assert out.returncode == 1
    assert "no screen found" in out.stderr
    return shlex.split(out.stderr.strip().rsplit("try: ", 1)[1])


def test_demo_without_a_screen_names_a_command_that_runs(tmp_path: Path) -> None:
    # Started as python -m, or through the virtualenv's script (not on PATH): the hint
    # names what really runs, from any folder.
    script = Path(sys.executable).parent / "merchant-pos"
    for argv in ([sys.executable, "-m", "merchant_pos.cli"], [str(script)]):
        hint = _no_screen_hint(argv, tmp_path)
        assert hint[-2:] == ["--screenshot", "counter.png"], hint
        if argv == [str(script)]:
            assert hint[0] == str(script.resolve())
        runs = subprocess.run([*hint[:-2], "--help"], capture_output=True, text=True,
                              timeout=60, check=False, cwd=tmp_path)
        assert runs.returncode == 0 and "--screenshot" in runs.stdout, runs.stderr
    # scripts/demo names itself.
    assert _no_screen_hint([sys.executable, "-m", "merchant_pos.cli"], tmp_path,
                           MPOS_LAUNCHER="./scripts/demo") == \
        ["./scripts/demo", "--screenshot", "counter.png"]
