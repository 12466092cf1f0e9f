"""Base45 (RFC 9285), strict: only the 45-character alphabet, no lower case."""

from __future__ import annotations

import struct

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_TRANSLATE = bytes(ALPHABET.find(chr(i)) % 256 for i in range(256))  # -1 → 255


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
    if not text.isascii():
        raise Base45Error("character outside the Base45 alphabet")
    # One C-level pass maps every character to its value (255 = not in the alphabet).
    values = text.encode("ascii").translate(_TRANSLATE)
    if 255 in values:
        raise Base45Error("character outside the Base45 alphabet")
    cut = full * 3
    numbers = [a + b * 45 + c * 2025 for a, b, c in
               zip(values[0:cut:3], values[1:cut:3], values[2:cut:3], strict=True)]
    if numbers and max(numbers) > 0xFFFF:
        raise Base45Error("triplet out of range")
    out = struct.pack(f">{full}H", *numbers)
    if rest == 2:
        n = values[-2] + values[-1] * 45
        if n > 0xFF:
            raise Base45Error("pair out of range")
        out += bytes((n,))
    return out
