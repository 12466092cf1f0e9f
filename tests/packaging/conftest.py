"""Helpers for the installation tests: a copy of the source, a clean environment."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONSTRAINTS = ROOT / "constraints.txt"


def source_copy(dest: Path) -> Path:
    """The files a wheel is built from, copied (building writes build/ and egg-info)."""
    dest.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, dest / name)
    shutil.copytree(ROOT / "merchant_pos", dest / "merchant_pos",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return dest


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without this checkout on the path or a forced Qt platform."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY",
                        "VIRTUAL_ENV", "MPOS_RESOURCES"}}
    env.update(extra)
    return env
