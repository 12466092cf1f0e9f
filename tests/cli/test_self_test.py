"""``merchant-pos self-test``: one line per check, exit 0; a broken installation
(resources missing or wrong) is named line by line and exits 1."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from merchant_pos.resources import RESOURCES
from tests.packaging.conftest import clean_env

ROOT = Path(__file__).resolve().parents[2]


def _self_test(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "merchant_pos.cli", "self-test", *args],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          check=False,
                          env=clean_env(PYTHONPATH=str(ROOT), LANG="zh_CN.UTF-8",
                                        MERCHANT_POS_DATA_DIR=str(tmp_path / "data"), **env))


def test_self_test_passes_offscreen_without_a_screen(tmp_path: Path) -> None:
    out = _self_test(tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.strip().splitlines()
    assert [line[0] for line in lines[:6]] == ["✓"] * 6, lines
    assert "platform offscreen" in lines[0]  # no DISPLAY: Qt was started offscreen
    assert lines[-1] == "自检通过 (6/6)"
    english = _self_test(tmp_path, "--lang", "en")
    assert english.returncode == 0
    assert english.stdout.strip().splitlines()[-1] == "Self-test passed (6/6)"


def test_broken_resources_fail_the_checks_that_need_them(tmp_path: Path) -> None:
    broken = tmp_path / "resources"
    shutil.copytree(RESOURCES, broken, ignore=shutil.ignore_patterns("__pycache__"))
    (broken / "translations" / "merchant_pos_zh_CN.qm").unlink()
    # A QR image of another code: it decodes, but not to the bundled code.
    from merchant_pos.server.admin import write_qr_png

    write_qr_png("BC1:NOT-THE-BUNDLED-CODE", str(broken / "demo" / "meal-code.png"))
    (broken / "demo" / "trust-list.json").write_text("[]", encoding="utf-8")
    out = _self_test(tmp_path, "--lang", "en", MPOS_RESOURCES=str(broken))
    assert out.returncode == 1
    marks = {line.split(":")[0][2:]: line[0] for line in out.stdout.splitlines()[:6]}
    assert marks == {"Qt starts": "✓", "Chinese translations load": "✗",
                     "A ledger opens and migrates (temporary folder)": "✓",
                     "The bundled QR image decodes": "✗",
                     "The bundled code verifies and quotes": "✗",
                     "Cameras enumerate": "✓"}, out.stdout
    assert out.stdout.strip().splitlines()[-1] == "Self-test FAILED (3/6)"
