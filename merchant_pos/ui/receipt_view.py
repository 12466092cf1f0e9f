"""The receipt: shown after every redemption; "Print" sends it again to the counter's
receipt printer with no dialog (a 重印 COPY once the original came out), or, on a
counter without one, to a printer chosen in Qt's print dialog."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFont, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QVBoxLayout, QWidget

from merchant_pos.domain.money import format_fen
from merchant_pos.store.redemptions import Receipt
from merchant_pos.store.reference import MerchantProfile
from merchant_pos.ui.labels import Labels

WIDTH = 32  # characters on a 58 mm thermal roll


def receipt_text(receipt: Receipt, labels: Labels, profile: MerchantProfile) -> str:
    """The receipt as plain text lines for a narrow roll printer."""
    when = datetime.fromtimestamp(receipt.at, ZoneInfo(profile.time_zone))
    rule = "-" * WIDTH
    who = receipt.masked_name or receipt.sub
    out = [profile.merchant_name, rule,
           QCoreApplication.translate("Receipt", "Receipt {0}").format(receipt.receipt_no),
           when.strftime("%Y-%m-%d %H:%M"),
           QCoreApplication.translate("Receipt", "Beneficiary {0}").format(who), rule]
    for line in receipt.lines:
        out.append(f"{labels.category(line.cat)} ×{line.qty}")
        out.append(QCoreApplication.translate("Receipt", "  price {0}  covered {1}").format(
            format_fen(line.amount), format_fen(line.covered)))
    total = format_fen(receipt.total)
    covered = format_fen(receipt.covered)
    paid = format_fen(receipt.pays)
    out += [rule,
            QCoreApplication.translate("Receipt", "Total {0}").format(total),
            QCoreApplication.translate("Receipt", "Covered by aid {0}").format(covered),
            QCoreApplication.translate("Receipt", "Customer paid {0}").format(paid), rule,
            QCoreApplication.translate("Receipt", "Keep this receipt. Questions: ask the shop.")]
    return "\n".join(out)


class ReceiptDialog(QDialog):
    def __init__(self, receipt: Receipt, labels: Labels, profile: MerchantProfile,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.receipt = receipt
        self.setWindowTitle(self.tr("Receipt {0}").format(receipt.receipt_no))
        self.text = receipt_text(receipt, labels, profile)
        view = QPlainTextEdit(self.text)
        view.setReadOnly(True)
        font = QFont("Noto Sans Mono CJK SC")
        font.setStyleHint(QFont.StyleHint.Monospace)
        view.setFont(font)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.print_button = buttons.addButton(self.tr("Print"),
                                              QDialogButtonBox.ButtonRole.ActionRole)
        self.print_button.clicked.connect(self.print_receipt)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(view)
        layout.addWidget(buttons)
        self.resize(360, 480)

    def print_receipt(self) -> None:
        services = getattr(self.parent(), "services", None)
        bridge = services.extras.get("receipt_printer") if services is not None else None
        if bridge is not None:  # the counter's own printer, through its queue
            bridge.reprint(self.receipt.redemption_id)
            self.print_button.setText(self.tr("Sent to the printer"))
            return
        printer = QPrinter()
        if QPrintDialog(printer, self).exec():
            print_text(self.text, printer)


def print_text(text: str, printer: QPrinter) -> None:
    doc = QTextDocument()
    doc.setPlainText(text)
    doc.print_(printer)
