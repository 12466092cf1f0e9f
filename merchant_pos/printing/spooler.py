"""The receipt printer service: queue a receipt after a confirmed redemption and print it
on a worker thread, never on the caller's; retry what failed; tell the clerk.

``print_receipt`` only records the wish and wakes the worker: it never blocks
and never raises for a printer problem. The worker builds the content (once;
it is frozen into the job), renders ESC/POS, sends it, and marks the job
printed or leaves it queued with the error. Failed jobs are retried on the
next job, on ``retry_queued()``, and every ``retry_seconds`` while any wait.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from merchant_pos.printing import messages
from merchant_pos.printing.build import receipt_content, void_content
from merchant_pos.printing.config import PrinterConfig, load_config
from merchant_pos.printing.content import ReceiptContent
from merchant_pos.printing.escpos_render import render_escpos
from merchant_pos.printing.layout import layout_receipt
from merchant_pos.printing.output import LinePrinter, print_lines
from merchant_pos.printing.queue import QUEUED, PrintJob, PrintQueue
from merchant_pos.printing.targets import PrintError, Target
from merchant_pos.store.ledger import Ledger

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PrintNotice:
    """What happened to one job, for the clerk's banner."""

    job_id: int
    receipt_no: str
    printed: bool
    error: PrintError | None
    queued: int  # jobs still waiting

    def message(self, language: str = "zh_CN") -> str:
        if self.printed:
            return messages.text("print_done", language, self.receipt_no)
        reason = self.error.message(language) if self.error else ""
        return messages.text("print_failed", language, self.receipt_no, reason)


def _drawer(content: ReceiptContent, config: PrinterConfig) -> bool:
    return config.drawer_kick and content.kind == "receipt" and not content.copy


def job_bytes(content: ReceiptContent, config: PrinterConfig) -> bytes:
    return render_escpos(layout_receipt(content, config.columns), config.columns,
                         drawer=_drawer(content, config))


class ReceiptPrinter:
    def __init__(self, ledger: Ledger, *, notify: Callable[[PrintNotice], None] | None = None,
                 config: Callable[[], PrinterConfig] | None = None,
                 retry_seconds: float = 30.0, timeout: float = 5.0,
                 retry_window: int = 600, system: LinePrinter | None = None) -> None:
        self.ledger = ledger
        self.system = system  # draws on a system printer (Qt's, from ui/), if any
        self.queue = PrintQueue(ledger)
        self.notify = notify or (lambda notice: None)
        self.config = config or (lambda: load_config(ledger))
        self.retry_seconds = retry_seconds
        self.retry_window = retry_window
        self.timeout = timeout
        self._wishes: deque[tuple[str, str, bool, bool]] = deque()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False

    # -- asking (any thread; never blocks on the printer) ---------------------------------
    def print_receipt(self, redemption_id: str, *, copy: bool = False,
                      on_confirm: bool = False) -> None:
        """Queue the receipt; ``on_confirm``: only if auto-print is on (checked on the
        worker, so the caller never reads the settings)."""
        self._wish(redemption_id, "receipt", copy, on_confirm)

    def print_void(self, redemption_id: str, *, on_confirm: bool = False) -> None:
        self._wish(redemption_id, "void", False, on_confirm)

    def retry_queued(self) -> None:
        with self._wake:
            self._wake.notify_all()

    def _wish(self, redemption_id: str, kind: str, copy: bool, on_confirm: bool) -> None:
        with self._wake:
            self._wishes.append((redemption_id, kind, copy, on_confirm))
            self._wake.notify_all()

    # -- the worker --------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="receipt-printer",
                                            daemon=True)
            self._thread.start()

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while True:
            with self._wake:
                if self._stopping:
                    return
                if not self._wishes:
                    waiting = bool(self.queue.queued(newer_than=self.ledger.clock()
                                                     - self.retry_window))
                    self._wake.wait(self.retry_seconds if waiting else None)
                if self._stopping:
                    return
            try:
                self.run_pending()
            except Exception:  # never let the worker die: the next wish retries
                log.exception("receipt printer worker")

    def run_pending(self) -> list[PrintNotice]:
        """Turn wishes into jobs, then try every queued job once (in order)."""
        while True:
            with self._wake:
                if not self._wishes:
                    break
                redemption_id, kind, copy, on_confirm = self._wishes.popleft()
            if on_confirm and not self.config().auto_print:
                continue
            self.enqueue(redemption_id, kind, copy=copy)
        notices = []
        # Old jobs are not retried on their own (the customer has gone): the records
        # screen reprints them.
        fresh_since = self.ledger.clock() - self.retry_window
        for job in self.queue.queued():
            if job.created_at < fresh_since:
                continue
            notice = self.attempt(job)
            notices.append(notice)
            self.notify(notice)
        return notices

    def enqueue(self, redemption_id: str, kind: str = "receipt", *, copy: bool = False) -> int:
        language = self.config().language
        content = None
        if kind == "receipt":
            jobs = [j for j in self.queue.for_redemption(redemption_id) if j.kind == "receipt"]
            printed = any(j.printed_at is not None for j in jobs)
            for job in jobs:  # a reprint replaces what still waits: one receipt comes out
                if job.status == QUEUED:
                    self.queue.cancel(job.id)
            if jobs:  # the first receipt's words (balances as they were then)
                content = jobs[0].content.as_copy() if printed else jobs[0].content
            else:
                content = receipt_content(self.ledger, redemption_id, language)
        else:
            content = void_content(self.ledger, redemption_id, language, copy=copy)
        return self.queue.enqueue(content, redemption_id)

    def attempt(self, job: PrintJob) -> PrintNotice:
        config = self.config()
        try:
            print_lines(Target.parse(config.target),
                        layout_receipt(job.content, config.columns), config.columns,
                        drawer=_drawer(job.content, config), timeout=self.timeout,
                        system=self.system)
        except PrintError as exc:
            self.queue.mark_failed(job.id, str(exc))
            return PrintNotice(job.id, job.content.receipt_no, False, exc,
                               self.queue.queued_count())
        self.queue.mark_printed(job.id)
        return PrintNotice(job.id, job.content.receipt_no, True, None,
                           self.queue.queued_count())
