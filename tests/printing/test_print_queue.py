"""Printing over the network to a loopback printer; a printer that is missing, out of
paper or drops mid-job leaves the redemption stored and the receipt queued."""

from __future__ import annotations

import threading
import uuid

from merchant_pos.domain import CartLine
from merchant_pos.printing.config import PrinterConfig
from merchant_pos.printing.queue import PRINTED, QUEUED, PrintQueue
from merchant_pos.printing.spooler import PrintNotice, ReceiptPrinter
from tests.printing.escpos_parse import parse
from tests.printing.tcp_printer import LoopbackPrinter
from tests.store.conftest import Counter
from tests.support.codes import make_code


def _redeem(shop: Counter) -> str:
    rid = str(uuid.uuid4())
    shop.service.redeem(rid, make_code(shop.key), [CartLine("formula", 6000)], shop.cashier)
    return rid


def _printer(shop: Counter, target: str, notices: list[PrintNotice]) -> ReceiptPrinter:
    return ReceiptPrinter(shop.ledger, notify=notices.append, timeout=5.0,
                          config=lambda: PrinterConfig(target=target))


def _job_part(data: bytes) -> bytes:
    """The job without the status queries around it."""
    return data[3:-3]


def test_network_printer_gets_the_whole_job(shop: Counter, tcp_printer: LoopbackPrinter) -> None:
    rid = _redeem(shop)
    notices: list[PrintNotice] = []
    printer = _printer(shop, tcp_printer.target, notices)
    printer.print_receipt(rid)
    (notice,) = printer.run_pending()
    assert notice.printed and notice.queued == 0
    assert notice.message("zh_CN") == "凭条 03-000001 已打印。"
    tcp_printer.stop()
    (data,) = tcp_printer.jobs
    assert data.startswith(b"\x10\x04\x04") and data.endswith(b"\x10\x04\x01")
    roll = parse(_job_part(data))
    assert "03-000001" in roll.text and roll.qr == ["03-000001"] and roll.cuts == 1
    (job,) = PrintQueue(shop.ledger).for_redemption(rid)
    assert job.status == PRINTED and job.attempts == 1


def test_a_printer_that_drops_mid_job_leaves_the_receipt_queued(shop: Counter) -> None:
    flaky = LoopbackPrinter(drop_after=200).start()
    rid = _redeem(shop)
    notices: list[PrintNotice] = []
    printer = _printer(shop, flaky.target, notices)
    printer.print_receipt(rid)
    (notice,) = printer.run_pending()
    flaky.stop()
    assert not notice.printed and notice.queued == 1
    assert notice.error is not None and notice.error.message_id == "disconnected"
    assert "已排队" in notice.message("zh_CN") and "打印中连接断开" in notice.message("zh_CN")
    assert shop.service.receipt(rid) is not None  # the redemption is there, untouched
    (job,) = PrintQueue(shop.ledger).queued()
    assert job.redemption_id == rid and job.attempts == 1 and job.last_error

    # The printer is back: the queued receipt prints, once.
    good = LoopbackPrinter().start()
    try:
        printer.config = lambda: PrinterConfig(target=good.target)
        (again,) = printer.run_pending()
        assert again.printed and again.queued == 0
        assert printer.run_pending() == []
    finally:
        good.stop()
    assert len(good.jobs) == 1
    assert "03-000001" in parse(_job_part(good.jobs[0])).text


def test_offline_and_out_of_paper_printers_queue_without_sending(shop: Counter) -> None:
    empty = LoopbackPrinter(no_paper=True).start()
    rid = _redeem(shop)
    notices: list[PrintNotice] = []
    printer = _printer(shop, empty.target, notices)
    printer.print_receipt(rid)
    (notice,) = printer.run_pending()
    empty.stop()
    assert notice.error is not None and notice.error.message_id == "no_paper"
    assert empty.jobs == [b"\x10\x04\x04"]  # asked for the paper status, sent nothing
    port = empty.port  # now closed: nobody listens
    printer.config = lambda: PrinterConfig(target=f"tcp://127.0.0.1:{port}")
    (offline,) = printer.run_pending()
    assert offline.error is not None and offline.error.message_id == "offline"
    printer.config = lambda: PrinterConfig(target="")
    (unset,) = printer.run_pending()
    assert unset.error is not None and unset.message("en").endswith(
        "(no printer set up); it is queued and will be retried, or reprint it from the records.")
    assert [j.status for j in PrintQueue(shop.ledger).for_redemption(rid)] == [QUEUED]
    assert len(notices) == 3


def test_reprint_is_a_copy_only_after_the_original_printed(
        shop: Counter, tcp_printer: LoopbackPrinter) -> None:
    rid = _redeem(shop)
    printer = _printer(shop, "", [])
    printer.print_receipt(rid)
    printer.run_pending()  # no printer: queued
    printer.config = lambda: PrinterConfig(target=tcp_printer.target)
    printer.print_receipt(rid, copy=True)  # never printed yet: the original, not a copy
    printed = printer.run_pending()
    assert [n.printed for n in printed] == [True]
    printer.print_receipt(rid, copy=True)
    printer.run_pending()
    tcp_printer.stop()
    first, second = (parse(_job_part(d)).text for d in tcp_printer.jobs)
    assert "重印 COPY" not in first and "重印 COPY" in second
    assert first.replace("\n", "") == second.replace("重印 COPY", "").replace("\n", "")


def test_the_worker_thread_prints_without_blocking_the_caller(
        shop: Counter, tcp_printer: LoopbackPrinter) -> None:
    rid = _redeem(shop)
    done = threading.Event()
    notices: list[PrintNotice] = []

    def told(notice: PrintNotice) -> None:
        notices.append(notice)
        done.set()

    printer = ReceiptPrinter(shop.ledger, notify=told,
                             config=lambda: PrinterConfig(target=tcp_printer.target))
    printer.start()
    try:
        printer.print_receipt(rid)
        assert done.wait(60)
    finally:
        printer.stop()
    assert [n.printed for n in notices] == [True]
