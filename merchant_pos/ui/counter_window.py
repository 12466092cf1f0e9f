"""The counter: scan a code, enter the cart, see what is covered, confirm.

The window never touches the disk, the network or the camera on the UI
thread: quotes, redemptions and syncs run on its :class:`BackgroundTasks`,
camera frames arrive from the scan worker's threads.

The result of a redemption is shown in the window itself (never a modal
dialog) until the next scan. No scan is ever lost: one that arrives while a
redemption is being saved, or while a dialog is open, waits and runs when
that step ends; one that would discard an unconfirmed cart asks first (Enter
discards, Esc keeps); a second waiting code is refused with a message.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QWidget

from merchant_pos.domain.quote import CartLine
from merchant_pos.scan.capture import CameraState
from merchant_pos.scan.classify import ScanEvent
from merchant_pos.scan.messages import message as scan_message
from merchant_pos.store import LedgerError, OperatorSession
from merchant_pos.store.redemptions import CartQuote, Receipt
from merchant_pos.store.settings import CounterSettings, SettingsSnapshot
from merchant_pos.ui import keys
from merchant_pos.ui.cart_model import CartTableModel
from merchant_pos.ui.closing import FinalSync
from merchant_pos.ui.counter_keys import CounterKeys
from merchant_pos.ui.counter_services import (
    CounterPreferences,
    CounterServices,
    PolicyRefusal,
    quick_item,
)
from merchant_pos.ui.counter_settings import apply_preferences
from merchant_pos.ui.counter_texts import BannerText, CounterTexts
from merchant_pos.ui.counter_tools import CounterTools
from merchant_pos.ui.counter_view import CounterView
from merchant_pos.ui.feedback import Sound, SoundFeedback
from merchant_pos.ui.keys import with_key
from merchant_pos.ui.lock_screen import CounterLock, LockReason
from merchant_pos.ui.redemption_controller import RedemptionController
from merchant_pos.ui.scan_wedge import WedgeScanFilter
from merchant_pos.ui.settings.controller import SettingsController
from merchant_pos.ui.settings.pages import build_pages
from merchant_pos.ui.settings.setup_pages import connect_setup
from merchant_pos.ui.status_bar import SyncStatusBar
from merchant_pos.ui.tasks import BackgroundTasks

WAITING_POLL_MS = 100
__all__ = ["CounterPreferences", "CounterServices", "CounterWindow", "PolicyRefusal"]


class CounterWindow(QMainWindow):
    quoted = Signal()  # a quote (or a rejection) was shown: tests wait on it
    redeemed = Signal(object)  # Receipt
    settings_changed = Signal(object, object)  # changed keys, SettingsSnapshot
    undone = Signal(object)  # UndoRecord

    def __init__(self, services: CounterServices, session: OperatorSession,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.session = session
        self.tasks = BackgroundTasks(self)
        self.texts = CounterTexts(services.labels, services.language, self)
        self.feedback = services.feedback or SoundFeedback(self)
        self.feedback.enabled = services.preferences.sounds
        self.code_text: str | None = None
        self.current: CartQuote | None = None
        self.asking: ScanEvent | None = None  # a new code waiting for "discard this cart?"
        self.waiting: ScanEvent | None = None  # a code waiting for the current step to end
        self._quick = False  # the cart holds only the standard item put there at the scan
        self._auto_done: str | None = None  # the code auto-confirmed last (until Esc/another)
        self._quote_seq = 0
        self.setWindowTitle(self.tr("Merchant POS — {0}").format(services.profile.merchant_name))
        self.cart = CartTableModel(services.labels.category, self)
        lang = services.language
        self.settings = SettingsController(
            self, self.tasks, CounterSettings(services.redemptions.ledger), services.operators,
            session, lambda: build_pages(self.services),
            describe=lambda exc: exc.message(lang) if isinstance(exc, LedgerError) else str(exc),
            language=lang)
        self.settings.applied.connect(self.settings_changed)
        self.settings.applied.connect(lambda _keys, snapshot: self.apply_settings(snapshot))
        self.settings.refused.connect(lambda text: self.show_message(text, "error"))
        self.tools = CounterTools(self)
        self.redemption = RedemptionController(self)  # confirm, the result, its undo
        self._build()
        self._poll = QTimer(self)
        self._poll.setInterval(WAITING_POLL_MS)
        self._poll.timeout.connect(self._run_waiting)
        # Key filters: ours first, the scanner's last (Qt asks the last-installed first).
        self.keys = CounterKeys(self).install()
        debouncer = services.camera.service.debouncer if services.camera is not None else None
        self.wedge = WedgeScanFilter(self, debouncer=debouncer).install()
        self.wedge.scanned.connect(self.on_scan)
        if services.camera is not None:
            self.preview.attach(services.camera)
            services.camera.scanned.connect(self.on_scan)
        else:
            # No camera at this counter: the panel says how to scan instead.
            self.preview.set_state(CameraState.STOPPED.value,
                                   self.tr("Scan with the barcode scanner"))
        self.status.refresh()
        self.locker = CounterLock(self)  # lock screen, idle lock, switch operator
        connect_setup(self)  # saved camera applies at once; language after a restart
        self.final_sync = FinalSync(self)

    # -- layout -------------------------------------------------------------------------
    def _build(self) -> None:
        s = self.services
        view = CounterView(s.labels, s.profile.categories, s.items, self.cart)
        self.view = view
        self.banner, self.preview, self.card = view.banner, view.preview, view.card
        self.entry, self.table, self.totals, self.pays = (view.entry, view.table, view.totals,
                                                          view.pays)
        self.confirm = view.confirm
        self.message = view.banner.title  # what the counter says now (tests, scripts)
        view.photo_button.clicked.connect(self.open_photo)
        view.typed_button.clicked.connect(self.type_code)
        view.remove_button.clicked.connect(self.remove_selected_line)
        view.next_button.clicked.connect(self.clear_to_next)
        view.confirm.clicked.connect(self.confirm_redemption)
        view.banner.undo_button.clicked.connect(self.undo_last)
        view.banner.receipt_button.clicked.connect(self.show_receipt)
        view.banner.discard_button.clicked.connect(self.answer_discard)
        view.banner.keep_button.clicked.connect(self.answer_keep)
        self.entry.lineAdded.connect(self.add_line)
        self.entry.invalid.connect(lambda text: self.show_message(text, "error"))
        self.entry.confirmRequested.connect(self.confirm_redemption)
        self.setCentralWidget(view)
        self.status = SyncStatusBar(self.services, self.session, self.tasks, self)
        self.status.sync_button.setText(with_key(self.status.sync_button.text(), keys.SYNC))
        self.setStatusBar(self.status)
        self.toolbar = view.tools
        view.add_tool(with_key(self.tr("Records"), keys.RECORDS), self.open_records)
        view.add_tool(with_key(self.tr("Lock"), keys.LOCK), self.lock)
        view.add_tool(with_key(self.tr("Settings…"), keys.SETTINGS), self.settings.open)
        view.set_tab_order()
        self._say(self.texts.waiting())
        self._refresh_totals()
        self.entry.amount.setFocus()

    # -- the redemption on show and the save under way (redemption_controller.py) ------
    @property
    def result(self) -> Receipt | None:
        return self.redemption.result

    @property
    def _busy(self) -> bool:
        return self.redemption.busy

    @property
    def _undo_offer(self) -> Receipt | None:
        return self.redemption.undo_offer

    # -- scanning -----------------------------------------------------------------------
    def on_scan(self, event: ScanEvent) -> None:
        if self.locker.refuse_scan():
            return
        if not event.is_beneficiary_code:
            text = scan_message(event.message, self.services.language) if event.message else ""
            self.preview.show_notice(text)
            self._say(self.texts.not_a_code(text), Sound.REJECTED)
            return
        if self._blocked():
            self._wait_for_step(event)
            return
        if (self.cart.lines() and not self._quick and self.result is None
                and event.text != self.code_text):
            self.asking = event  # never discard the clerk's work without asking
            self._say(self.texts.ask_discard(), Sound.NOTHING,
                      (self.banner.discard_button, self.banner.keep_button))
            return
        self._start(event.text)

    def _blocked(self) -> bool:
        modal = QApplication.activeModalWidget()
        return self._busy or self.asking is not None or (modal is not None and modal is not self)

    def _wait_for_step(self, event: ScanEvent) -> None:
        if self.asking is not None:
            if event.text != self.asking.text:  # answer first; this code is not kept
                self._say(self.texts.ask_discard(again=True), Sound.REJECTED,
                          (self.banner.discard_button, self.banner.keep_button))
            return
        if self.waiting is not None and self.waiting.text != event.text:
            self._say(self.texts.refused_busy(), Sound.REJECTED)
            return
        self.waiting = event
        if not self._busy and self.asking is None:
            self._say(self.texts.queued())
        self._poll.start()

    def _run_waiting(self) -> None:
        if self.waiting is None:
            self._poll.stop()
            return
        if self._blocked():
            return
        event, self.waiting = self.waiting, None
        self._poll.stop()
        self.on_scan(event)

    def _start(self, text: str) -> None:
        if text != self._auto_done:
            self._auto_done = None  # another code in between: auto-confirm may fire again
        if text != self.code_text or self.result is not None:
            self.cart.clear()
            self._quick = False
            self.redemption.new_cart()
        self.redemption.end_result()
        self.code_text = text
        self._say(self.texts.checking(), Sound.SCANNED)
        self.request_quote(scan=True)

    def answer_discard(self) -> None:
        event, self.asking = self.asking, None
        if event is not None:
            self.cart.clear()
            self._start(event.text)

    def answer_keep(self) -> None:
        if self.asking is not None:
            self.asking = None
            self._say(self.texts.kept())

    # -- cart ---------------------------------------------------------------------------
    def add_line(self, line: CartLine) -> None:
        if self.asking is not None:
            return
        self.redemption.end_result()  # another sale for the same customer
        self.cart.add_line(line)
        self._quick = False
        self.redemption.new_cart()
        self.request_quote()

    def remove_selected_line(self) -> None:
        if self._busy or not self.cart.rowCount():
            return
        rows = self.table.selectionModel().selectedRows()
        row = rows[0].row() if rows else self.cart.rowCount() - 1
        self.cart.remove_row(row)
        self.redemption.new_cart()
        self.request_quote()

    def clear_to_next(self) -> None:
        """Esc: answer "keep" to a question, else clear the counter for the next customer."""
        if self.asking is not None:
            self.answer_keep()
            return
        if not self._busy:
            self.reset()

    def reset(self) -> None:
        self.code_text = None
        self.current = None
        self._quick = False
        self._auto_done = None
        self.redemption.new_cart()
        self.redemption.end_result()
        self.cart.clear()
        self.card.show_empty()
        self._say(self.texts.waiting())
        self._refresh_totals()

    # -- quoting (off the UI thread; stale answers are dropped) ------------------------
    def request_quote(self, scan: bool = False) -> None:
        self._refresh_totals()
        if self.code_text is None:
            self.quoted.emit()
            return
        self._quote_seq += 1
        seq, code, lines = self._quote_seq, self.code_text, self.cart.lines()
        service = self.services.redemptions
        items = list(self.entry.items) if scan and not lines else []
        if scan:  # no earlier redemption can be undone after a scan
            self.redemption.note_scan()

        def work() -> tuple[CartQuote, CartLine | None]:
            cq = service.quote(code, lines)
            item = quick_item(cq, items) if items else None
            if item is not None:
                line = CartLine(item.cat, item.price, 1)
                with_item = service.quote(code, [line])
                if with_item.covered > 0:
                    return with_item, line
            return cq, None

        self.tasks.run(work, lambda r: self._quote_done(seq, *r),
                       lambda exc: self._quote_failed(seq, exc))

    def _quote_done(self, seq: int, cq: CartQuote, quick: CartLine | None) -> None:
        if seq != self._quote_seq:
            return
        if quick is not None and not self.cart.lines():
            self.cart.add_line(quick)
            self._quick = True
        self.current = cq
        self.cart.set_quote(cq.quote)
        self.card.show_quote(cq)
        notes = [self.cart.note(row) for row in range(self.cart.rowCount())]
        text = self.texts.quoted(cq, self.services.profile.categories, notes)
        self._say(text, Sound.NOTHING if text.kind == "nothing" else None)
        self._refresh_totals()
        self.quoted.emit()
        if (quick is not None and self._quick and self.services.preferences.auto_confirm
                and self.code_text is not None and self.code_text != self._auto_done):
            self._auto_done = self.code_text  # never twice without another code or Esc
            self.confirm_redemption()

    def _quote_failed(self, seq: int, exc: BaseException) -> None:
        if seq != self._quote_seq:
            return
        self.current = None
        self.cart.set_quote(None)
        if not isinstance(exc, LedgerError):
            self.code_text = None
            self.card.show_empty()
        self._say(self.texts.rejected(exc), Sound.REJECTED)
        self._refresh_totals()
        self.quoted.emit()

    # -- confirming (redemption_controller.py) ----------------------------------------
    def confirm_redemption(self) -> None:
        self.redemption.confirm()

    def apply_settings(self, snapshot: SettingsSnapshot) -> None:
        """The counter page's settings, applied at once (no restart)."""
        apply_preferences(self.services, self.feedback, snapshot)

    # -- tools (counter_tools.py) -----------------------------------------------------
    def open_photo(self) -> None:
        self.tools.open_photo()

    def paste_image(self) -> bool:
        return self.tools.paste_image()

    def type_code(self) -> None:
        self.tools.type_code()

    def show_receipt(self) -> QDialog | None:
        return self.tools.show_receipt()

    def open_records(self) -> QDialog:
        return self.tools.open_records()

    def lock(self) -> None:
        """Lock the counter now: the lock screen covers it; a PIN unlocks or switches."""
        self.locker.lock(LockReason.MANUAL)

    def undo_last(self) -> None:
        self.redemption.undo_last()

    def undo_offered(self) -> bool:
        return self.redemption.undo_offer is not None

    # -- feedback -----------------------------------------------------------------------
    def error_text(self, exc: BaseException) -> str:
        return self.texts.error_text(exc)

    def show_message(self, text: str, kind: str) -> None:
        """A one-line message (photo and camera problems, refusals) in the banner."""
        banner = {"error": "rejected", "warning": "nothing", "success": "accepted"}
        self._say(BannerText(banner.get(kind, "info"), text))

    def _say(self, text: BannerText, sound: Sound | None = None,
             actions: tuple[Any, ...] = ()) -> None:
        self.banner.show_result(text.kind, text.title, text.detail, actions)
        if sound is not None:
            self.feedback.play(sound)

    def _refresh_totals(self) -> None:
        self.view.show_totals(self.result, self.cart)
        q = self.cart.quote
        self.confirm.setEnabled(not self._busy and self.current is not None
                                and q is not None and q.covered > 0)

    # -- shutdown -----------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.final_sync.intercept(event):
            return  # a last sync of unsent redemptions first, a few seconds at most
        self._poll.stop()
        self.wedge.uninstall()
        self.keys.uninstall()
        self.status.stop()
        if self.services.camera is not None:
            self.services.camera.stop()
        self.tasks.wait(15_000)
        self.redemption.stop()
        super().closeEvent(event)
