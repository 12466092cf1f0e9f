"""Receipts and the 日结 on a system printer (``system://NAME``) through Qt's QPrinter,
with no dialog: the spooler's own path, into a QPrinter whose output is a PDF file,
read back with pdftotext / pdfinfo / pdffonts. A printer that is gone or refuses the
job leaves the redemption stored and the receipt queued."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from merchant_pos.domain import CartLine
from merchant_pos.printing.config import PrinterConfig
from merchant_pos.printing.queue import PRINTED, QUEUED, PrintQueue
from merchant_pos.printing.spooler import PrintNotice, ReceiptPrinter
from merchant_pos.printing.targets import PrintError, Target
from merchant_pos.ui.receipt_printing import ReceiptPrinting
from merchant_pos.ui.system_printer import SystemPrinter, available_printers
from tests.printing.escpos_parse import parse
from tests.store.conftest import Counter
from tests.support.codes import make_code
from tests.support.pdf import PdfPrinters, embedded_fonts, page_size_mm, pdf_text, qr_codes

CART = [CartLine("formula", 6000), CartLine("diaper", 1000, 2)]


def _redeem(shop: Counter) -> str:
    rid = str(uuid.uuid4())
    shop.service.redeem(rid, make_code(shop.key), CART, shop.cashier)
    return rid


def _printer(shop: Counter, system: SystemPrinter, target: str = "system://POS-58",
             width_mm: int = 58, notices: list[PrintNotice] | None = None) -> ReceiptPrinter:
    return ReceiptPrinter(shop.ledger, system=system.print_lines,
                          notify=(notices if notices is not None else []).append,
                          config=lambda: PrinterConfig(target=target, width_mm=width_mm))


def test_system_target_parses_a_printer_name_as_it_is() -> None:
    assert Target.parse("system://EPSON TM-T82 Receipt") == Target("system",
                                                                   "EPSON TM-T82 Receipt")
    with pytest.raises(PrintError):
        Target.parse("system://  ")


@pytest.mark.parametrize("width_mm", [58, 80])
def test_receipt_prints_on_a_system_printer_at_roll_width(
        qapp: QApplication, shop: Counter, tmp_path: Path, width_mm: int) -> None:
    rid = _redeem(shop)
    pdfs = PdfPrinters(tmp_path)
    printer = _printer(shop, SystemPrinter(pdfs), width_mm=width_mm)
    printer.print_receipt(rid, on_confirm=True)
    (notice,) = printer.run_pending()
    assert notice.printed and notice.queued == 0
    assert pdfs.names == ["POS-58"]
    (pdf,) = pdfs.files
    width, _height = page_size_mm(pdf)
    assert abs(width - width_mm) < 0.5  # the roll's width, not A4
    fonts = embedded_fonts(pdf)
    assert fonts and all(fonts.values()) and any("CJK" in f for f in fonts)
    text = pdf_text(pdf)
    for expected in ("好孩子母婴店", "补助兑换凭条", "03-000001", "李收银", "母婴补贴",
                     "奶粉 ×1", "¥60.00", "¥70.00", "本次后剩余", "待上传"):
        assert expected in text, expected
    assert qr_codes(pdf) == ["03-000001"]  # a full QR code, not a Micro QR phones ignore
    (job,) = PrintQueue(shop.ledger).for_redemption(rid)
    assert job.status == PRINTED


def test_a_system_printer_that_is_gone_queues_the_receipt_until_it_is_back(
        qapp: QApplication, shop: Counter, tmp_path: Path) -> None:
    assert "Gone-58" not in available_printers()
    rid = _redeem(shop)
    notices: list[PrintNotice] = []
    printer = _printer(shop, SystemPrinter(), "system://Gone-58", notices=notices)
    printer.print_receipt(rid)
    (notice,) = printer.run_pending()  # the real lookup: no such printer installed
    assert not notice.printed and notice.error is not None
    assert notice.error.message_id == "printer_gone"
    assert notice.message("zh_CN") == ("凭条 03-000001 未能打印（找不到系统打印机“Gone-58”），"
                                       "已排队，稍后重试；也可在记录中重印。")
    assert shop.service.receipt(rid) is not None
    assert [j.status for j in PrintQueue(shop.ledger).for_redemption(rid)] == [QUEUED]

    # A driver that refuses the job (here: a PDF that cannot be written) fails the same way.
    broken = PdfPrinters(tmp_path / "no-such-folder")
    printer.system = SystemPrinter(broken).print_lines
    (refused,) = printer.run_pending()
    assert refused.error is not None and refused.error.message_id == "system_failed"
    assert not broken.files[0].exists()

    pdfs = PdfPrinters(tmp_path)  # the printer is back: the queued receipt prints, once
    printer.system = SystemPrinter(pdfs).print_lines
    (again,) = printer.run_pending()
    assert again.printed and printer.run_pending() == []
    assert len(pdfs.files) == 1 and "03-000001" in pdf_text(pdfs.files[0])
    (job,) = PrintQueue(shop.ledger).for_redemption(rid)
    assert job.status == PRINTED and job.attempts == 3


def test_without_qt_a_system_target_fails_like_an_offline_printer(shop: Counter) -> None:
    rid = _redeem(shop)
    printer = ReceiptPrinter(shop.ledger, config=lambda: PrinterConfig(target="system://X"))
    printer.print_receipt(rid)
    (notice,) = printer.run_pending()
    assert notice.error is not None and notice.error.message_id == "unsupported"
    assert PrintQueue(shop.ledger).queued_count() == 1


def test_the_days_report_goes_on_a4_to_a_system_printer_and_as_a_slip_to_a_roll(
        qapp: QApplication, shop: Counter, tmp_path: Path) -> None:
    _redeem(shop)
    pdfs = PdfPrinters(tmp_path)
    bridge = ReceiptPrinting(_printer(shop, SystemPrinter(pdfs), "system://Office"), "zh_CN",
                             system=SystemPrinter(pdfs))
    bridge.print_day_report(date(2026, 2, 10))
    (pdf,) = pdfs.files
    width, height = page_size_mm(pdf)
    assert (round(width), round(height)) == (210, 297)
    text = pdf_text(pdf)
    for expected in ("好孩子母婴店", "日结报表", "2026-02-10", "按状态", "待上传", "03-000001",
                     "¥70.00", "尚未对账"):
        assert expected in text, expected

    slip = tmp_path / "slip.bin"
    bridge.printer.config = lambda: PrinterConfig(target=f"file://{slip}")
    bridge.print_day_report(date(2026, 2, 10))
    roll = parse(slip.read_bytes())
    assert "日结报表" in roll.text and "￥70.00" in roll.text and roll.cuts == 1


def _cups_pdf_printer() -> str | None:
    """An installed CUPS queue of the cups-pdf virtual printer, if this machine has one."""
    if shutil.which("lpstat") is None:
        return None
    listing = subprocess.run(["lpstat", "-v"], capture_output=True, text=True).stdout
    for line in listing.splitlines():  # "device for NAME: cups-pdf:/"
        if line.startswith("device for ") and line.rstrip().endswith("cups-pdf:/"):
            return line[len("device for "):].split(":", 1)[0]
    return None


def test_a_real_cups_pdf_queue_is_listed_and_gets_the_receipt_at_roll_width(
        qapp: QApplication, shop: Counter) -> None:
    """Needs CUPS running with a cups-pdf queue (Debian: cups-daemon,
    printer-driver-cups-pdf, then ``lpadmin -p POS-PDF -v cups-pdf:/ -E -P
    /usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd``); skipped elsewhere (CI)."""
    name = _cups_pdf_printer()
    if name is None:
        pytest.skip("no cups-pdf printer installed (CUPS)")
    assert name in available_printers()  # what the printer page lists
    out = Path.home() / "PDF"
    before = set(out.glob("*.pdf")) if out.exists() else set()
    rid = _redeem(shop)
    printer = ReceiptPrinter(shop.ledger, system=SystemPrinter().print_lines,
                             config=lambda: PrinterConfig(target=f"system://{name}"))
    printer.print_receipt(rid)
    (notice,) = printer.run_pending()  # the real QPrinter on the installed queue
    assert notice.printed, notice.error
    for _ in range(600):  # CUPS converts the job in its own time: poll its queue
        pending = subprocess.run(["lpstat", "-W", "not-completed", "-o", name],
                                 capture_output=True, text=True).stdout.strip()
        if not pending and set(out.glob("*.pdf")) - before:
            break
        time.sleep(0.1)
    (pdf,) = set(out.glob("*.pdf")) - before
    assert abs(page_size_mm(pdf)[0] - 58) < 0.5  # the driver kept the roll's width


def test_the_recovery_code_prints_on_a_system_printer_too(qapp: QApplication,
                                                          tmp_path: Path) -> None:
    from merchant_pos.printing.recovery_slip import print_recovery_code

    pdfs = PdfPrinters(tmp_path)
    config = PrinterConfig(target="system://Office Laser", width_mm=80, language="zh_CN")
    print_recovery_code("ABCD-EFGH-JKLM", config, SystemPrinter(pdfs).print_lines)
    assert pdfs.names == ["Office Laser"]
    text = pdf_text(pdfs.files[0])
    assert "主管恢复码" in text and "ABCD-EFGH-JKLM" in text
    with pytest.raises(PrintError):  # without a way to draw, a system target is refused
        print_recovery_code("ABCD-EFGH-JKLM", config)
