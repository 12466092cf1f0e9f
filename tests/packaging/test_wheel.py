"""The built wheel, installed in a fresh virtualenv outside the source tree, passes
``merchant-pos self-test`` in Chinese: everything it needs at run time is inside it.

Slow (one virtualenv, the dependencies from pip's cache with constraints.txt); its
time is printed (run with -s to see it).
"""

from __future__ import annotations

import subprocess
import sys
import time
import venv
from pathlib import Path

import pytest

from tests.packaging.conftest import CONSTRAINTS, ROOT, clean_env, source_copy

pytestmark = pytest.mark.slow


def _run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=clean_env(**env), capture_output=True,
                          text=True, timeout=1800, check=False)


def test_installed_wheel_self_tests_in_chinese(tmp_path: Path) -> None:
    t0 = time.monotonic()
    src = source_copy(tmp_path / "src")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / ("Scripts" if sys.platform == "win32" else "bin") / "python"
    built = _run([str(py), "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "w"),
                  str(src)], tmp_path)
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = (tmp_path / "w").glob("merchant_pos-*.whl")
    t_built = time.monotonic()
    installed = _run([str(py), "-m", "pip", "install", "-q", "-c", str(CONSTRAINTS),
                      str(wheel)], tmp_path)
    assert installed.returncode == 0, installed.stderr[-3000:]
    t_installed = time.monotonic()

    where = _run([str(py), "-c", "import merchant_pos.resources as r; print(r.RESOURCES)"],
                 tmp_path)
    resources = Path(where.stdout.strip())
    assert resources.is_relative_to(env_dir) and not resources.is_relative_to(ROOT)
    assert (resources / "translations" / "merchant_pos_zh_CN.qm").is_file()

    cli = py.parent / "merchant-pos"
    out = _run([str(cli), "self-test"], tmp_path, LANG="zh_CN.UTF-8",
               MERCHANT_POS_DATA_DIR=str(tmp_path / "data"))
    lines = out.stdout.strip().splitlines()
    assert out.returncode == 0, out.stdout + out.stderr[-3000:]
    assert len(lines) == 7 and all(line.startswith("✓") for line in lines[:6]), lines
    assert lines[1].startswith("✓ 中文界面翻译加载")
    assert lines[-1].startswith("自检通过")
    print(f"\nwheel test: build {t_built - t0:.0f} s, install {t_installed - t_built:.0f} s, "
          f"self-test {time.monotonic() - t_installed:.0f} s")
