"""Money is an integer number of fen (1/100 yuan). Never a float."""

from __future__ import annotations

import re
import unicodedata

_YUAN = re.compile(r"^\s*([0-9]{1,9})(?:\.([0-9]{1,2}))?\s*$")


def format_fen(fen: int, symbol: str = "¥") -> str:
    """``12345`` → ``¥123.45``; negative amounts keep their sign in front."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{symbol}{yuan:,}.{cents:02d}"


def parse_yuan(text: str) -> int:
    """A clerk's ``12``, ``12.5`` or ``12.50`` in yuan → fen. Raises ValueError otherwise."""
    # NFKC folds the full-width digits and point a Chinese input method types.
    match = _YUAN.match(unicodedata.normalize("NFKC", text).replace("。", "."))
    if match is None:
        raise ValueError(f"not an amount in yuan: {text!r}")
    yuan, cents = match.group(1), (match.group(2) or "").ljust(2, "0")
    return int(yuan) * 100 + int(cents)
