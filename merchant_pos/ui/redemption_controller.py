"""Confirming the counter's cart: the save off the UI thread, the result shown inline, the
short undo of the last redemption (whose rule is the ledger's: store/undo.py).

Between Enter and the result on screen the counter does as little as it can: one ledger
write (the undo needs none of its own: the next scan marks what it may no longer undo),
no "saving" banner unless the save is slow, the card's balances from the redemption's
own snapshot (no second quote), the status bar re-read after the result is shown.
"""

from __future__ import annotations

import threading
import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from merchant_pos.store import LedgerError, LedgerErrorId
from merchant_pos.store.redemptions import Receipt
from merchant_pos.store.undo import UNDO_SECONDS, UndoRecord, UndoService
from merchant_pos.ui.counter_texts import BannerText
from merchant_pos.ui.feedback import Sound
from merchant_pos.ui.lock_screen import LockReason

if TYPE_CHECKING:
    from merchant_pos.ui.counter_window import CounterWindow

SAVING_NOTICE_MS = 250  # "Saving…" only when a save takes longer than this
STATUS_AFTER_MS = 300  # the status bar is re-read this long after a result (coalesced)
NOTED_WAIT_S = 10.0  # the longest a save waits for its scan to be noted


def _set_event() -> threading.Event:
    done = threading.Event()
    done.set()
    return done


class RedemptionController(QObject):
    """The window's confirm / result / undo flow (``window.redemption``)."""

    def __init__(self, window: CounterWindow) -> None:
        super().__init__(window)
        self.w = window
        self.undo_service = UndoService(window.services.redemptions.ledger)
        self.busy = False
        self.result: Receipt | None = None  # the recorded redemption on show
        self.undo_offer: Receipt | None = None
        self.pending_id: str | None = None  # one id per confirmed cart: a retry records once
        self._noted = _set_event()  # the last scan is noted in the ledger
        self._undo_timer = self._timer(UNDO_SECONDS * 1000, self.undo_expired)
        self._saving = self._timer(SAVING_NOTICE_MS, self._show_saving)
        self._status = self._timer(STATUS_AFTER_MS, lambda: self.w.status.refresh())

    def _timer(self, ms: int, slot: object) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(ms)
        timer.timeout.connect(slot)
        return timer

    # -- scans ----------------------------------------------------------------------
    def note_scan(self) -> None:
        """A code was read: no earlier redemption can be undone any more (a ledger write on
        its own task; the quote does not wait for it)."""
        noted, undo = threading.Event(), self.undo_service
        self._noted = noted

        def note() -> int:  # not None: PySide6 mis-counts None sent through a signal
            try:
                return undo.note_scan()
            finally:
                noted.set()

        self.w.tasks.run(note, lambda _r: None, lambda _exc: None)

    def new_cart(self) -> None:
        """The cart changed: the next confirm is a new redemption."""
        self.pending_id = None

    # -- confirming -----------------------------------------------------------------
    def confirm(self) -> None:
        w = self.w
        cq, code, q = w.current, w.code_text, w.cart.quote
        if (self.busy or w.asking is not None or cq is None or code is None or q is None
                or q.covered == 0 or cq.quote is not q):
            return
        if self.pending_id is None:
            self.pending_id = str(uuid.uuid4())
        rid, lines, covered = self.pending_id, w.cart.lines(), q.covered
        service, session, noted = w.services.redemptions, w.session, self._noted

        def redeem() -> Receipt:
            # This customer's scan is noted first (or the ledger would count it as a scan
            # after this sale and refuse its undo). The ledger enforces the offline limits
            # inside redeem; a refusal comes back as a LedgerError with the clerk's message.
            noted.wait(NOTED_WAIT_S)
            return service.redeem(rid, code, lines, session, expected_covered=covered)

        self.set_busy(True)
        self._saving.start()
        w.tasks.run(redeem, self._done, self._failed)

    def _show_saving(self) -> None:
        if self.busy:
            self.w._say(self.w.texts.saving())

    def _done(self, receipt: Receipt) -> None:
        w = self.w
        self._saving.stop()
        self.busy = False
        w.cart.clear()
        w.current, w._quick, self.pending_id = None, False, None
        self.result = self.undo_offer = receipt
        w._say(w.texts.recorded(receipt), Sound.ACCEPTED,
               (w.banner.undo_button, w.banner.receipt_button))
        if receipt.snapshot is not None:  # what is left after it, from the ledger's write
            w.card.show_snapshot(receipt.snapshot)
        self._undo_timer.start()
        w._refresh_totals()
        self._status.start()
        w.redeemed.emit(receipt)  # printing etc. start once the result is on its way

    def _failed(self, exc: BaseException) -> None:
        w = self.w
        self._saving.stop()
        self.set_busy(False)
        if isinstance(exc, LedgerError) and exc.error is LedgerErrorId.SESSION_LOCKED:
            w.locker.lock(LockReason.IDLE)  # nothing was recorded; the cart is cleared
            return
        if isinstance(exc, LedgerError) and exc.error is LedgerErrorId.QUOTE_CHANGED:
            self.pending_id = None
            w.request_quote()
        w._say(BannerText("rejected", w.texts.error_text(exc)), Sound.REJECTED)
        # Issue 13: a weak PIN must be changed first; the cart stays for the retry.
        w.locker.ask_new_pin(exc)

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.w._refresh_totals()

    # -- the result and its undo ----------------------------------------------------
    def end_result(self) -> None:
        self.result = None
        self.undo_offer = None
        self._undo_timer.stop()

    def undo_expired(self) -> None:
        self.undo_offer = None  # the window only hides the button; the ledger has the rule
        self.w.banner.undo_button.setVisible(False)

    def undo_last(self) -> None:
        offer = self.undo_offer
        if offer is None or self.busy:
            return
        service, session = self.undo_service, self.w.session
        self.set_busy(True)
        self.w.tasks.run(lambda: service.undo(offer.redemption_id, session), self._undone,
                         self._undo_failed)

    def _undone(self, record: UndoRecord) -> None:
        w = self.w
        self.busy = False
        self.end_result()
        w._auto_done = None
        w.undone.emit(record)
        w._say(w.texts.undone(record.receipt_no))
        w._refresh_totals()
        w.status.refresh()
        if w.code_text is not None:
            w.request_quote()

    def _undo_failed(self, exc: BaseException) -> None:
        self.set_busy(False)
        self.undo_offer = None
        self.w._say(BannerText("rejected", self.w.texts.error_text(exc)), Sound.REJECTED)

    def stop(self) -> None:
        for timer in (self._undo_timer, self._saving, self._status):
            timer.stop()
