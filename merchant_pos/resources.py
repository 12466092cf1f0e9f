"""Where the project's resources (demo data, translations, icons, OpenAPI) live."""

from __future__ import annotations

import os
from pathlib import Path

_DEFAULT = Path(__file__).resolve().parents[1] / "resources"
RESOURCES = Path(os.environ.get("MPOS_RESOURCES", _DEFAULT))


def resource(*parts: str) -> Path:
    return RESOURCES.joinpath(*parts)


def user_language() -> str:
    """zh_CN unless the environment asks for English."""
    lang = os.environ.get("MPOS_LANG") or os.environ.get("LANG", "")
    return "en" if lang.startswith("en") else "zh_CN"
