"""Lines → ESC/POS bytes through python-escpos, for cheap Chinese 58/80 mm printers.

Text goes out as GBK in the printer's Chinese mode (``FS &`` … ``FS .``): the
built-in fonts of these printers cover GBK only. A line with a character
outside GBK (a rare name) is drawn with a CJK font and sent as a raster
image. The receipt number goes out as a native QR code (``GS ( k``), then
the paper is cut and, if asked, the cash drawer kicked.

Rendering is pure: it writes into python-escpos's Dummy printer; the bytes
are then sent to the real target in one piece (see ``targets``).
"""

from __future__ import annotations

import copy
import sys
from functools import lru_cache
from pathlib import Path

from escpos.printer import Dummy
from PIL import Image, ImageDraw, ImageFont

from merchant_pos.printing.layout import PrintLine, fits_gbk, text_width

DOTS = {32: 384, 48: 576}          # printable dots of a 58 / 80 mm head (8 dots per mm)
CHINESE_ON = b"\x1c\x26"           # FS &: Chinese character mode (GBK double bytes)
CHINESE_OFF = b"\x1c\x2e"          # FS .
CHINESE_SIZE = b"\x1c\x21"         # FS ! n: Chinese character size / style
QR_PREFIX = b"\x1d(k"              # GS ( k: the QR code commands
CUT = b"\x1dV"                     # GS V: cut
DRAWER = b"\x1bp"                  # ESC p: drawer kick pulse

_FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simsun.ttc",
    "/System/Library/Fonts/PingFang.ttc",
)



@lru_cache(maxsize=4)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for candidate in _FONT_CANDIDATES:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    print("merchant-pos: no CJK font found for raster lines", file=sys.stderr)
    return ImageFont.load_default()


def raster_line(text: str, dots: int, align: str = "left", big: bool = False) -> Image.Image:
    """One line drawn 24 dots high (48 when big), the width of the print head."""
    height = 48 if big else 24
    font = _font(height - 2)
    image = Image.new("1", (dots, height), 1)
    draw = ImageDraw.Draw(image)
    width = int(draw.textlength(text, font=font))
    x = 0 if align == "left" else (dots - width) // (2 if align == "center" else 1)
    draw.text((max(0, x), 0), text, font=font, fill=0)
    return image


def render_escpos(lines: list[PrintLine], width: int, *, cut: bool = True,
                  drawer: bool = False) -> bytes:
    """The ESC/POS job for ``lines`` on a ``width``-column roll (32 or 48)."""
    dots = DOTS.get(width, width * 12)
    p = Dummy()
    # Our own copy of the profile, with the head's width (python-escpos prints a notice
    # on stdout for every image when the profile does not know it).
    p.profile.profile_data = copy.deepcopy(p.profile.profile_data)
    p.profile.profile_data["media"]["width"]["pixels"] = dots
    p.hw("INIT")
    p._raw(CHINESE_ON)
    for line in lines:
        if line.kind == "rule":
            p.set(align="left", bold=False, normal_textsize=True)
            p._raw(b"-" * width + b"\n")
        elif line.kind == "qr":
            p.set(align="center", normal_textsize=True)
            p.qr(line.text, native=True, size=6 if width >= 48 else 5)
        elif line.kind == "feed":
            p._raw(b"\n")
        elif fits_gbk(line.text):
            p.set(align=line.align, bold=line.bold, double_width=line.big,
                  double_height=line.big, normal_textsize=not line.big)
            p._raw(CHINESE_SIZE + (b"\x0c" if line.big else b"\x00"))
            p._raw(line.text.encode("gbk") + b"\n")
        else:
            p.set(align="left", normal_textsize=True)
            p.image(raster_line(line.text, dots, line.align, line.big),
                    impl="bitImageRaster", center=False)
    p._raw(CHINESE_OFF)
    if cut:
        p.cut()
    if drawer:
        p.cashdraw(2)
    return bytes(p.output)


def overflowing(lines: list[PrintLine], width: int) -> list[str]:
    """Lines wider than the roll (a layout bug if ever non-empty)."""
    return [ln.text for ln in lines if ln.kind == "text"
            and text_width(ln.text) > (width // 2 if ln.big else width)]
