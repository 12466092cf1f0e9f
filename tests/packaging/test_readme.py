"""Every command of README.md works as written (scripts/check-readme), except the
blocks it marks as skipped (the TLS reverse proxy, the Windows and bundle steps,
commands that open the window). Slow: it installs the server in a venv of its own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging.conftest import ROOT, clean_env

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def test_every_readme_command_runs() -> None:
    venv = Path(sys.prefix)
    # ./scripts/* may install into the venv: only when it is this checkout's own.
    own = venv.resolve() == (ROOT / ".venv").resolve()
    args = [sys.executable, str(ROOT / "scripts" / "check-readme"), "--venv", str(venv)]
    if not own:
        args.append("--no-scripts")
    env = clean_env(PYTHONPATH=str(ROOT))
    out = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=3600, check=False)
    assert out.returncode == 0, (out.stdout[-4000:], out.stderr[-4000:])
    assert "== README.md: every checked command ran" in out.stdout
    skipped = [line for line in out.stdout.splitlines() if line.startswith("skipped:")]
    assert any("TLS reverse proxy" in line for line in skipped)
