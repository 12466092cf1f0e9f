"""PDFs read back: their text (``pdftotext``), page size and fonts (``pdfinfo``,
``pdffonts``), and a PDF-format ``QPrinter`` that stands in for a system printer."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path

from PySide6.QtPrintSupport import QPrinter

# CJK Radicals Supplement twins (no NFKC mapping) of characters on our receipts.
RADICAL_TWINS = str.maketrans("⻓⻢⻝⻅⻔⻋⻉⻜⻛⻚⻥⻦⻨⻬⻮⻳⻄",
                              "长马食见门车贝飞风页鱼鸟麦齐齿龟西")
PT_PER_MM = 72 / 25.4


def pdf_text(path: Path) -> str:
    """The PDF's text; NFKC because Noto CJK's shared glyphs make pdftotext give some
    characters as their Kangxi-radical twins (⽇ for 日)."""
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    return unicodedata.normalize("NFKC", out).translate(RADICAL_TWINS)


def page_size_mm(path: Path) -> tuple[float, float]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    found = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert found, info
    return float(found[1]) / PT_PER_MM, float(found[2]) / PT_PER_MM


def embedded_fonts(path: Path) -> dict[str, bool]:
    """Font name -> embedded, from ``pdffonts``."""
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    return {ln.split()[0]: ln.split()[-5] == "yes" for ln in lines if ln.strip()}


class PdfPrinters:
    """``printer_for`` of a SystemPrinter: every job becomes the next PDF file in
    ``folder`` (printer names asked for are kept in ``names``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.names: list[str] = []
        self.files: list[Path] = []

    def __call__(self, name: str) -> QPrinter:
        self.names.append(name)
        path = self.folder / f"job-{len(self.files) + 1}.pdf"
        self.files.append(path)
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        return printer


def qr_codes(path: Path, dpi: int = 200) -> list[str]:
    """The QR codes on the PDF's first page, rendered by pdftoppm, read by zxing-cpp (the
    decoder a phone or the counter's camera would use): regular QR codes only."""
    import zxingcpp
    from PIL import Image

    png = path.with_suffix(".qr.png")
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-singlefile", "-f", "1", str(path),
                    str(png.with_suffix(""))], check=True)
    with Image.open(png) as image:
        found = zxingcpp.read_barcodes(image.convert("L"))
    return [b.text for b in found if b.format == zxingcpp.BarcodeFormat.QRCode]
