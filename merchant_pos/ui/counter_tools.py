"""The counter's tools beside the sale: photo, typed code, the receipt, records, and
the short undo of the last redemption (whose rule is the ledger's: store/undo.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from merchant_pos.scan.classify import ScanSource, classify
from merchant_pos.store.undo import UndoRecord
from merchant_pos.ui.counter_texts import BannerText
from merchant_pos.ui.dialogs import TypeCodeDialog
from merchant_pos.ui.feedback import Sound
from merchant_pos.ui.receipt_view import ReceiptDialog
from merchant_pos.ui.records_dialog import RecordsDialog

if TYPE_CHECKING:
    from merchant_pos.ui.counter_window import CounterWindow


class CounterTools:
    """The window's tools; ``window.tools``. The window keeps one-line entry points."""

    def __init__(self, window: CounterWindow) -> None:
        self.w = window

    def open_photo(self) -> None:
        photo = self.w.services.extras.get("photo")
        if photo is not None:
            photo.choose_files(self.w)

    def paste_image(self) -> bool:
        photo = self.w.services.extras.get("photo")
        return bool(photo is not None and photo.paste())

    def type_code(self) -> None:
        dialog = TypeCodeDialog(self.w)
        if dialog.exec() and dialog.code():
            self.w.on_scan(classify(dialog.code(), ScanSource.SCANNER))

    def undo_expired(self) -> None:
        self.w._undo_offer = None
        self.w.banner.undo_button.setVisible(False)

    def undo_last(self) -> None:
        offer = self.w._undo_offer
        if offer is None or self.w._busy:
            return
        service, session = self.w.undo_service, self.w.session
        self.w._set_busy(True)
        self.w.tasks.run(lambda: service.undo(offer.redemption_id, session),
                         self.undo_done, self.undo_failed)

    def undo_done(self, record: UndoRecord) -> None:
        self.w._set_busy(False)
        self.w._end_result()
        self.w._auto_done = None
        self.w.undone.emit(record)
        self.w._say(self.w.texts.undone(record.receipt_no))
        self.w._refresh_totals()
        self.w.status.refresh()
        if self.w.code_text is not None:
            self.w.request_quote()

    def undo_failed(self, exc: BaseException) -> None:
        self.w._set_busy(False)
        self.w._undo_offer = None
        self.w._say(BannerText("rejected", self.w.texts.error_text(exc)), Sound.REJECTED)

    def show_receipt(self) -> ReceiptDialog | None:
        w, result = self.w, self.w.result
        if result is None:
            return None
        dialog = ReceiptDialog(result, w.services.labels, w.services.profile, w)
        dialog.show()  # not modal: the next scan still reaches the counter
        return dialog

    # -- records ---------------------------------------------------------------
    def open_records(self) -> RecordsDialog:
        dialog = RecordsDialog(self.w.services, self.w)
        dialog.finished.connect(lambda _r: self.w.status.refresh())
        dialog.open()
        return dialog
