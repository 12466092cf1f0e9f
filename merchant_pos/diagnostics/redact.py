"""Scrubbing secrets out of text that leaves the program (log lines, support bundles).

Beneficiary code text, bearer tokens, device secrets, PINs and enrollment
codes must never be written: a code is a bearer instrument, a token lets
anyone push as this counter. Patterns catch the shapes (``BC1:…``,
``Authorization: Bearer …``, ``"secret": "…"``); :func:`remember_secret`
adds exact values known at run time (the device token once loaded).
"""

from __future__ import annotations

import re
import threading

REDACTED = "[redacted]"
CODE_REDACTED = "[code]"

# BC1 codes: "BC1:" then base45 (digits, capitals, space $%*+-./:); at least 16 of them.
_CODE = re.compile(r"BC1:[0-9A-Z $%*+\-./:]{15,}[0-9A-Z$%*+\-./:]")
# Header values and key=value / "key": "value" pairs whose key names a secret.
_SECRET_KEYS = r"(?:token|secret|pin|password|passwd|enrollment_code|code|authorization)"
_PAIR = re.compile(
    rf"""(?ix)
    (?P<key>["']?\b(?:[\w-]*[_-])?{_SECRET_KEYS}(?:_hash)?["']?\s*[:=]\s*)
    (?P<value>"[^"]*"|'[^']*'|[^\s,;}}&]+)
    """)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")

_known: set[str] = set()
_lock = threading.Lock()


def remember_secret(value: str | None) -> None:
    """Scrub this exact value from now on (values shorter than 6 characters are ignored:
    they would match ordinary text)."""
    if value and len(value) >= 6:
        with _lock:
            _known.add(value)


def redact(text: str) -> str:
    """``text`` without code texts, tokens, secrets or PINs."""
    with _lock:
        known = sorted(_known, key=len, reverse=True)
    for value in known:
        if value in text:
            text = text.replace(value, REDACTED)
    text = _CODE.sub(CODE_REDACTED, text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)

    def pair(m: re.Match[str]) -> str:
        value = m.group("value")
        if value in (CODE_REDACTED, REDACTED, f'"{REDACTED}"', "None", "null", '""'):
            return m.group(0)
        return m.group("key") + REDACTED

    return _PAIR.sub(pair, text)
