"""Base45 (RFC 9285), strict: only the 45-character alphabet, no lower case."""

from __future__ import annotations

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
    """Decode strict Base45 with C-level operations only (no per-triplet Python loop).

    Each triplet ``abc`` stands for ``a + 45*b + 2025*c``, written as two big-endian
    bytes. The digit values of all first, second and third characters are laid
    into 3-byte slots of three big integers; one ``A + 45*B + 2025*C`` computes
    every triplet at once (each fits in its 24-bit slot, so nothing carries), and
    a triplet above 0xFFFF shows as a non-zero top byte of its slot.
    """
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
    slots = bytearray(cut)
    slots[2::3] = values[0:cut:3]
    low = int.from_bytes(slots, "big")
    slots[2::3] = values[1:cut:3]
    mid = int.from_bytes(slots, "big")
    slots[2::3] = values[2:cut:3]
    high = int.from_bytes(slots, "big")
    packed = (low + 45 * mid + 2025 * high).to_bytes(cut, "big")
    if packed[0::3].count(0) != full:
        raise Base45Error("triplet out of range")
    out = bytearray(2 * full)
    out[0::2] = packed[1::3]
    out[1::2] = packed[2::3]
    if rest == 2:
        n = values[-2] + values[-1] * 45
        if n > 0xFF:
            raise Base45Error("pair out of range")
        out.append(n)
    return bytes(out)

