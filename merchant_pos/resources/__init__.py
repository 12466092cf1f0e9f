"""The app's run-time resources, shipped inside the package (and so in the wheel and
the bundles): translations, icons, demo data, the server's OpenAPI document.

``MPOS_RESOURCES`` overrides the folder (a frozen build may point it elsewhere).
"""

from __future__ import annotations

import os
from pathlib import Path

_DEFAULT = Path(__file__).resolve().parent
RESOURCES = Path(os.environ.get("MPOS_RESOURCES", _DEFAULT))


def resource(*parts: str) -> Path:
    return RESOURCES.joinpath(*parts)


def user_language() -> str:
    """zh_CN unless the environment asks for English."""
    lang = os.environ.get("MPOS_LANG") or os.environ.get("LANG", "")
    return "en" if lang.startswith("en") else "zh_CN"
