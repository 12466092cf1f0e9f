"""The clerk's language: zh_CN first, English too. Shared by every message table."""

from __future__ import annotations

from collections.abc import Mapping


def pick(texts: Mapping[str, str], language: str) -> str:
    """``texts[language]``; else English for any ``en*``, else Chinese."""
    if language in texts:
        return texts[language]
    return texts["en"] if language.startswith("en") else texts["zh_CN"]
