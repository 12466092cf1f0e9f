"""The printer page's test print: Chinese in GBK, the full-width ￥, a column ruler so the
width setting can be checked by eye, a QR code, the cut (and the drawer, if set)."""

from __future__ import annotations

from merchant_pos.printing import messages
from merchant_pos.printing.layout import PrintLine
from merchant_pos.printing.output import LinePrinter, print_lines
from merchant_pos.printing.targets import Target


def sample_lines(width: int, language: str = "zh_CN") -> list[PrintLine]:
    ruler = ("1234567890" * 5)[:width]
    return [PrintLine(messages.text("test_title", language), "center", bold=True, big=True),
            PrintLine(kind="rule"),
            PrintLine(messages.text("test_line", language)),
            PrintLine(ruler),
            PrintLine(f"{width} cols"),
            PrintLine(kind="rule"),
            PrintLine(messages.text("test_ok", language)),
            PrintLine("TEST", "center", kind="qr")]


def print_sample(target: str, width: int, *, drawer: bool = False, language: str = "zh_CN",
                 timeout: float = 5.0, system: LinePrinter | None = None) -> None:
    """Raises :class:`~merchant_pos.printing.targets.PrintError` when it did not print."""
    print_lines(Target.parse(target), sample_lines(width, language), width, drawer=drawer,
                timeout=timeout, system=system)
