"""Base45 (RFC 9285), strict: only the 45-character alphabet, no lower case."""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
# Two characters at a time: halves the dictionary look-ups on the hot path.
_PAIR = {a + b: _VALUE[a] + _VALUE[b] * 45 for a in ALPHABET for b in ALPHABET}


class Base45Error(ValueError):
    """The text is not valid Base45."""


def b45encode(data: bytes) -> str:
    out: list[str] = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        n, c = divmod(n, 45)
        e, d = divmod(n, 45)
        out.append(ALPHABET[c] + ALPHABET[d] + ALPHABET[e])
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out.append(ALPHABET[c] + ALPHABET[d])
    return "".join(out)


def b45decode(text: str) -> bytes:
    full, rest = divmod(len(text), 3)
    if rest == 1:
        raise Base45Error("length leaves a single character")
    out = bytearray()
    pair = _PAIR
    value = _VALUE
    try:
        for i in range(0, full * 3, 3):
            n = pair[text[i : i + 2]] + value[text[i + 2]] * 2025
            if n > 0xFFFF:
                raise Base45Error("triplet out of range")
            out += n.to_bytes(2, "big")
        if rest == 2:
            n = pair[text[-2:]]
            if n > 0xFF:
                raise Base45Error("pair out of range")
            out.append(n)
    except KeyError:
        raise Base45Error("character outside the Base45 alphabet") from None
    return bytes(out)
