"""Every text colour of the counter's stylesheet and palette against its background, at
least 4.5:1 (WCAG 2 contrast, computed here), disabled buttons included; base font 16 px."""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QColor, QPalette

from merchant_pos.ui.theme import BASE_FONT_PX, FONT_SCALES, PALETTE, palette, stylesheet

MIN_CONTRAST = 4.5
_RULE = re.compile(r"([^{}]+)\{([^}]*)\}")
_PROP = re.compile(r"(?<![-\w])(color|background)\s*:\s*(#[0-9a-fA-F]{6})")
# Text without a background of its own sits on one of these.
PLAIN_BACKGROUNDS = ("window", "base", "card", "info")


def luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    c = QColor(hex_colour)
    return 0.2126 * channel(c.red()) + 0.7152 * channel(c.green()) + 0.0722 * channel(c.blue())


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def rules(sheet: str) -> list[tuple[str, dict[str, str]]]:
    return [(sel.strip(), dict(_PROP.findall(body))) for sel, body in _RULE.findall(sheet)]


def test_the_contrast_formula() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # just too light


@pytest.mark.parametrize("scale", FONT_SCALES)
def test_every_text_in_the_stylesheet_is_readable(scale: int) -> None:
    checked = 0
    for selector, props in rules(stylesheet(scale)):
        if "color" not in props:
            continue
        backgrounds = ([props["background"]] if "background" in props
                       else [PALETTE[b] for b in PLAIN_BACKGROUNDS])
        for bg in backgrounds:
            ratio = contrast(props["color"], bg)
            assert ratio >= MIN_CONTRAST, f"{selector}: {props['color']} on {bg} is {ratio:.2f}"
            checked += 1
    assert checked > 30  # banners, buttons, disabled buttons, messages, card…
    assert "QPushButton#confirmButton:disabled" in stylesheet(scale)


def test_every_text_role_of_the_palette_is_readable() -> None:
    pal = palette()
    pairs = [(QPalette.ColorRole.WindowText, QPalette.ColorRole.Window),
             (QPalette.ColorRole.Text, QPalette.ColorRole.Base),
             (QPalette.ColorRole.ButtonText, QPalette.ColorRole.Button),
             (QPalette.ColorRole.PlaceholderText, QPalette.ColorRole.Base),
             (QPalette.ColorRole.HighlightedText, QPalette.ColorRole.Highlight)]
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Disabled):
        for fg, bg in pairs:
            if group is QPalette.ColorGroup.Disabled and fg is QPalette.ColorRole.HighlightedText:
                continue
            ratio = contrast(pal.color(group, fg).name(), pal.color(group, bg).name())
            assert ratio >= MIN_CONTRAST, f"{group.name} {fg.name} on {bg.name}: {ratio:.2f}"


def test_font_sizes_scale_from_a_16_px_base() -> None:
    sizes = {scale: [int(px) for px in re.findall(r"font-size: (\d+)px", stylesheet(scale))]
             for scale in FONT_SCALES}
    assert BASE_FONT_PX == 16 and min(sizes[100]) >= 16
    assert [round(s * 1.5) for s in sizes[100]] == sizes[150]
    assert stylesheet(999) == stylesheet(100)  # an unknown scale falls back
