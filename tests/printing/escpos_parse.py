"""A strict reader of the ESC/POS subset our receipts use: text lines (decoded from GBK,
strictly), QR data, raster images, cut and drawer commands. An unknown command fails."""

from __future__ import annotations

from dataclasses import dataclass, field

ESC, GS, FS, LF = 0x1B, 0x1D, 0x1C, 0x0A


@dataclass
class Parsed:
    lines: list[str] = field(default_factory=list)
    qr: list[str] = field(default_factory=list)
    images: int = 0
    cuts: int = 0
    drawer_kicks: int = 0
    chinese_mode_entered: int = 0
    chinese_mode_left: int = 0

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def parse(data: bytes) -> Parsed:
    out = Parsed()
    i, text = 0, bytearray()
    n = len(data)
    while i < n:
        b = data[i]
        if b == LF:
            out.lines.append(text.decode("gbk", errors="strict"))
            text.clear()
            i += 1
        elif b == ESC:
            cmd = data[i + 1]
            if cmd == ord("@"):
                i += 2
            elif cmd in b"!EaMGt-" or cmd == ord("d"):
                i += 3
            elif cmd == ord("p"):
                out.drawer_kicks += 1
                i += 5
            else:
                raise AssertionError(f"unknown ESC {cmd:#x} at {i}")
        elif b == GS:
            cmd = data[i + 1]
            if cmd == ord("!") or cmd == ord("B"):
                i += 3
            elif cmd == ord("V"):
                out.cuts += 1
                i += 3 if data[i + 2] in (0, 1, 48, 49) else 4
            elif cmd == ord("("):  # GS ( k pL pH cn fn ...
                assert data[i + 2] == ord("k"), f"GS ( {data[i + 2]:#x}"
                size = data[i + 3] + 256 * data[i + 4]
                body = data[i + 5:i + 5 + size]
                if body[:3] == b"1P0":
                    out.qr.append(body[3:].decode("ascii"))
                i += 5 + size
            elif cmd == ord("v"):  # GS v 0 m xL xH yL yH d...
                width = data[i + 4] + 256 * data[i + 5]
                height = data[i + 6] + 256 * data[i + 7]
                out.images += 1
                i += 8 + width * height
            else:
                raise AssertionError(f"unknown GS {cmd:#x} at {i}")
        elif b == FS:
            cmd = data[i + 1]
            if cmd == ord("&"):
                out.chinese_mode_entered += 1
                i += 2
            elif cmd == ord("."):
                out.chinese_mode_left += 1
                i += 2
            elif cmd == ord("!"):
                i += 3
            else:
                raise AssertionError(f"unknown FS {cmd:#x} at {i}")
        elif b < 0x20:
            raise AssertionError(f"stray control byte {b:#x} at {i}")
        else:
            text.append(b)
            i += 1
    assert not text, f"unterminated text {bytes(text)!r}"
    return out
