"""Receipts and reports through Qt's print support: PDF files (``QPdfWriter``) and system
printers (``QPrinter``), with an embedded CJK font.

Receipts are drawn at roll width (58 or 80 mm) from the same lines as the ESC/POS
job, in a monospaced CJK font (one column = half a Chinese character), with the
receipt number's QR. The 日结 report goes on A4 as tables (``QTextDocument``).
Imported only by ui/ and the commands that write PDFs.
"""

from __future__ import annotations

import html
import os
import sys

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)
from PySide6.QtWidgets import QApplication

from merchant_pos.printing.layout import PrintLine
from merchant_pos.reports import messages
from merchant_pos.reports.daily import DayReport, Totals

MONO_FAMILY = "Noto Sans Mono CJK SC"
SANS_FAMILY = "Noto Sans CJK SC"
PRINTABLE_MM = {32: 48.0, 48: 72.0}   # printable width of a 58 / 80 mm roll
MARGIN_MM = 4.0
DPI = 300


def ensure_gui() -> QGuiApplication:
    """A Qt GUI application (offscreen when there is no screen), for painting to PDF."""
    app = QGuiApplication.instance()
    if app is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY") \
                and sys.platform.startswith("linux"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        # A QApplication (not only a QGuiApplication): a later window or dialog in the same
        # process, e.g. the counter printing a receipt, needs the widgets kind.
        app = QApplication(sys.argv[:1])
    assert isinstance(app, QGuiApplication)
    return app


def _mm_to_px(mm: float) -> float:
    return mm / 25.4 * DPI


def _font_for(width: int, family: str = MONO_FAMILY) -> QFont:
    """A monospaced CJK font whose half-width cell makes ``width`` columns fill the roll."""
    font = QFont(family)
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPixelSize(100)
    cell = QFontMetricsF(font).horizontalAdvance("0")
    target = _mm_to_px(PRINTABLE_MM.get(width, width * 1.5)) / width
    font.setPixelSize(max(8, int(100 * target / cell)))
    return font


def _qr_size(text: str) -> int:
    import segno

    return len(segno.make_qr(text, error="m").matrix)


def _draw_qr(painter: QPainter, text: str, x: float, y: float, side: float) -> None:
    import segno

    matrix = segno.make_qr(text, error="m").matrix
    cell = side / len(matrix)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("black"))
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                painter.drawRect(QRectF(x + c * cell, y + r * cell, cell + 0.5, cell + 0.5))


def _line_height(font: QFont, big: bool) -> float:
    return QFontMetricsF(font).height() * (2 if big else 1)


def _receipt_height_px(lines: list[PrintLine], width: int) -> float:
    font = _font_for(width)
    qr_side = _mm_to_px(PRINTABLE_MM.get(width, 48.0) * 0.55)
    total = 0.0
    for line in lines:
        total += qr_side + 1.5 * _line_height(font, False) if line.kind == "qr" else \
            _line_height(font, line.big)
    return total + 2 * _mm_to_px(MARGIN_MM)


def paint_receipt(device: QPagedPaintDevice, lines: list[PrintLine], width: int) -> bool:
    """Draw ``lines`` (a receipt, slip or 日结 slip) onto a page already sized to fit
    (:func:`setup_receipt_page`); False when the device would not start (a printer
    that refused the job, a PDF file that cannot be written)."""
    painter = QPainter()
    if not painter.begin(device):
        return False
    try:
        # Everything below is measured in DPI (300) dots; a printer's own resolution
        # (203 dpi thermal, 600 or 1200 dpi office) only changes the scale.
        painter.scale(device.logicalDpiX() / DPI, device.logicalDpiY() / DPI)
        font = _font_for(width)
        metrics = QFontMetricsF(font)
        cell = metrics.horizontalAdvance("0")
        left = 0.0
        full = cell * width
        y = 0.0
        qr_side = _mm_to_px(PRINTABLE_MM.get(width, 48.0) * 0.55)
        for line in lines:
            if line.kind == "qr":
                y += metrics.height() / 2  # a gap: the code must not touch the text
                _draw_qr(painter, line.text, left + (full - qr_side) / 2, y, qr_side)
                y += qr_side + metrics.height()
                continue
            if line.kind == "rule":
                painter.setPen(QColor("black"))
                painter.drawLine(int(left), int(y + metrics.height() / 2), int(left + full),
                                 int(y + metrics.height() / 2))
                y += metrics.height()
                continue
            f = QFont(font)
            f.setBold(line.bold)
            if line.big:
                f.setPixelSize(font.pixelSize() * 2)
            painter.setFont(f)
            painter.setPen(QColor("black"))
            height = _line_height(font, line.big)
            flags = {"center": Qt.AlignmentFlag.AlignHCenter,
                     "right": Qt.AlignmentFlag.AlignRight}.get(line.align,
                                                               Qt.AlignmentFlag.AlignLeft)
            painter.drawText(QRectF(left, y, full, height), int(flags) |
                             int(Qt.AlignmentFlag.AlignVCenter), line.text)
            y += height
    finally:
        painter.end()
    return True


def setup_receipt_page(device: QPagedPaintDevice, lines: list[PrintLine], width: int) -> None:
    """One page the width of the roll (58 or 80 mm) and as long as the receipt."""
    paper_mm = 80.0 if width >= 48 else 58.0
    height_mm = _receipt_height_px(lines, width) / DPI * 25.4
    device.setPageSize(QPageSize(QSizeF(paper_mm, height_mm), QPageSize.Unit.Millimeter,
                                 "receipt", QPageSize.SizeMatchPolicy.ExactMatch))
    side = (paper_mm - PRINTABLE_MM.get(width, 48.0)) / 2
    device.setPageMargins(QMarginsF(side, MARGIN_MM, side, MARGIN_MM),
                          QPageLayout.Unit.Millimeter)


def receipt_pdf(lines: list[PrintLine], width: int, path: str) -> None:
    """A PDF page the width of the roll (58 or 80 mm) and as long as the receipt."""
    ensure_gui()
    writer = QPdfWriter(path)
    writer.setResolution(DPI)
    writer.setCreator("merchant-pos")
    setup_receipt_page(writer, lines, width)
    if not paint_receipt(writer, lines, width):
        raise OSError(f"cannot write {path}")


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"{sign}￥{abs(fen) // 100:,}.{abs(fen) % 100:02d}"


def report_html(report: DayReport, language: str = "zh_CN",
                reconciliation: str | None = None) -> str:
    def t(key: str, *args: object) -> str:
        return html.escape(messages.text(key, language, *args))

    def table(title: str, rows: dict[str, Totals], label: object) -> str:
        head = "".join(f"<th>{t(k)}</th>" for k in
                       ("col_key", "count", "total", "covered", "paid", "reimbursable",
                        "awaiting"))
        body = "".join(
            f"<tr><td>{html.escape(label(k) if callable(label) else k)}</td>"
            f"<td align=right>{v.count}</td><td align=right>{_yuan(v.total)}</td>"
            f"<td align=right>{_yuan(v.covered)}</td><td align=right>{_yuan(v.paid)}</td>"
            f"<td align=right>{_yuan(v.reimbursable)}</td>"
            f"<td align=right>{_yuan(v.awaiting)}</td></tr>"
            for k, v in rows.items() if v.count)
        return f"<h3>{title}</h3><table border=1 cellspacing=0 cellpadding=3 width=100%>" \
               f"<tr>{head}</tr>{body}</table>"

    single = report.first == report.last
    days = report.first.isoformat() if single else messages.text(
        "days", language, report.first.isoformat(), report.last.isoformat())
    tot = report.totals
    parts = [f"<h1>{html.escape(report.shop)} · {t('title') if single else t('range_title')}</h1>",
             f"<p>{t('day')}: {html.escape(days)} &nbsp; {t('device')}: "
             f"{html.escape(report.device)}</p>",
             f"<p><b>{t('count')}: {tot.count} &nbsp; {t('total')}: {_yuan(tot.total)} &nbsp; "
             f"{t('covered')}: {_yuan(tot.covered)} &nbsp; {t('paid')}: {_yuan(tot.paid)} "
             f"&nbsp; {t('reimbursable')}: {_yuan(tot.reimbursable)} &nbsp; "
             f"{t('awaiting')}: {_yuan(tot.awaiting)}</b></p>"]
    if reconciliation:
        parts.append(f"<p><b>{t(reconciliation)}</b></p>")
    parts.append(table(t("by_status"), report.by_status,
                       lambda s: messages.status(s, language)))
    parts.append(table(t("by_program"), report.by_program, report.program_name))
    parts.append(table(t("by_category"), report.by_category, report.category_name))
    parts.append(table(t("by_operator"), report.by_operator, None))
    if report.adjustments:
        rows = "".join(f"<tr><td>{a.day}</td><td>{html.escape(a.receipt_no)}</td>"
                       f"<td>{a.original_day}</td><td align=right>{_yuan(-a.covered)}</td></tr>"
                       for a in report.adjustments)
        parts.append(f"<h3>{t('adjustments')}</h3><table border=1 cellspacing=0 "
                     f"cellpadding=3><tr><th>{t('day')}</th><th>{t('col_receipt')}</th>"
                     f"<th>{t('col_original_day')}</th><th>{t('covered')}</th></tr>{rows}"
                     f"</table><p><b>{t('net')}: {_yuan(report.net_reimbursable)}</b></p>")
    flagged = report.time_flagged
    if flagged:
        rows = "".join(f"<tr><td>{html.escape(e.receipt_no)}</td><td>{e.local_time}</td><td>"
                       f"{html.escape(messages.flag(e.time_flag or '', language))}</td></tr>"
                       for e in flagged)
        parts.append(f"<h3>{t('time_flagged')}</h3><table border=1 cellspacing=0 "
                     f"cellpadding=3>{rows}</table>")
    rows = "".join(
        f"<tr><td>{e.local_time}</td><td>{html.escape(e.receipt_no)}</td>"
        f"<td>{html.escape(report.program_name(e.program))}</td>"
        f"<td>{html.escape(e.operator)}</td><td>{t('status_' + e.status)}</td>"
        f"<td align=right>{_yuan(e.covered)}</td><td align=right>{_yuan(e.paid)}</td></tr>"
        for e in report.entries)
    parts.append(f"<h3>{t('entries')}</h3><table border=1 cellspacing=0 cellpadding=2 "
                 f"width=100%><tr><th>{t('col_time')}</th><th>{t('col_receipt')}</th>"
                 f"<th>{t('col_program')}</th><th>{t('col_operator')}</th>"
                 f"<th>{t('col_status')}</th><th>{t('covered')}</th><th>{t('paid')}</th></tr>"
                 f"{rows}</table>")
    return "".join(parts)


def report_pdf(report: DayReport, path: str, language: str = "zh_CN",
               reconciliation: str | None = None) -> None:
    """The 日结 on A4 pages."""
    ensure_gui()
    writer = QPdfWriter(path)
    writer.setResolution(DPI)
    writer.setCreator("merchant-pos")
    paint_report(writer, report, language, reconciliation)


def paint_report(device: QPagedPaintDevice, report: DayReport, language: str = "zh_CN",
                 reconciliation: str | None = None) -> None:
    """The 日结 as A4 pages on ``device`` (a PDF writer or a system printer)."""
    device.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    device.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    doc = QTextDocument()
    font = QFont(SANS_FAMILY)
    font.setPointSize(10)
    doc.setDefaultFont(font)
    doc.setHtml(report_html(report, language, reconciliation))
    doc.print_(device)
