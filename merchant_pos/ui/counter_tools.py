"""The counter's tools beside the sale: photo, typed code, the receipt, records."""

from __future__ import annotations

from typing import TYPE_CHECKING

from merchant_pos.scan.classify import ScanSource, classify
from merchant_pos.ui.dialogs import TypeCodeDialog
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
