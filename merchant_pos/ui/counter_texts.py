"""What the counter's banner says in each state: the plain reason and what to do next."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject

from merchant_pos.domain.errors import CodeRejected
from merchant_pos.domain.forfeit import forfeits
from merchant_pos.domain.money import format_fen
from merchant_pos.domain.quote import remaining_at
from merchant_pos.store import LedgerError
from merchant_pos.store.redemptions import CartQuote, Receipt
from merchant_pos.ui.labels import Labels


@dataclass(frozen=True)
class BannerText:
    kind: str  # one of result_banner.KINDS
    title: str
    detail: str = ""


class CounterTexts(QObject):
    """Banner texts, translated in the context ``CounterTexts``."""

    def __init__(self, labels: Labels, language: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.labels = labels
        self.language = language

    def waiting(self) -> BannerText:
        return BannerText("info", self.tr("Scan the customer's code"),
                          self.tr("Scanner, camera, photo (Ctrl+O) or paste a screenshot "
                                  "(Ctrl+V)"))

    def checking(self) -> BannerText:
        return BannerText("info", self.tr("Checking the code…"))

    def not_a_code(self, reason: str) -> BannerText:
        return BannerText("rejected", self.tr("This is not a beneficiary code"),
                          reason + " " + self.tr("Ask the customer to open the code in the "
                                                 "aid app."))

    def rejected(self, exc: BaseException) -> BannerText:
        if isinstance(exc, CodeRejected):
            return BannerText("rejected", exc.message(self.language),
                              self.tr("Nothing was recorded. Ask the customer to refresh the "
                                      "code in the aid app, or to call the foundation."))
        return BannerText("rejected", self.error_text(exc),
                          self.tr("Nothing was recorded."))

    def error_text(self, exc: BaseException) -> str:
        if isinstance(exc, CodeRejected | LedgerError):
            return exc.message(self.language)
        return self.tr("Something went wrong: {0}. Nothing was recorded.").format(
            type(exc).__name__)

    def quoted(self, cq: CartQuote, categories: tuple[str, ...], notes: list[str]) -> BannerText:
        """After a quote: ready to confirm, nothing covered, or pick the goods."""
        who = cq.masked_name or cq.code.claims.sub
        if not cq.quote.lines:
            remaining = remaining_at(cq.code.claims, cq.at, cq.usage)
            usable = any(left > 0 and set(e.cat) & set(categories)
                         for e in cq.code.claims.ent if (left := remaining.get(e.id, 0)))
            if not usable:
                return BannerText("nothing", self.tr("{0}: nothing left to use here").format(who),
                                  self.tr("The entitlements for this shop are used up or not "
                                          "active now. The customer pays the full price; "
                                          "Esc for the next customer."))
            return BannerText("info", self.tr("{0}: code valid").format(who),
                              self.tr("Pick a category (F1-F4) and type the price, or add a "
                                      "standard item (F5-F8)."))
        if cq.covered == 0:
            why = notes[0] if notes else ""
            return BannerText("nothing", self.tr("Nothing in this cart is covered"),
                              why + " " + self.tr("The customer pays the full amount. Remove "
                                                  "the line (Del) or Esc for the next "
                                                  "customer."))
        detail = [self.forfeit_text(cq), *[n for n in notes if n][:1]]
        return BannerText("info", self.tr("Enter to confirm · customer pays {0}").format(
            format_fen(cq.pays)), " ".join(d for d in detail if d) or self.tr(
            "Covered {0} of {1}.").format(format_fen(cq.covered), format_fen(cq.quote.total)))

    def forfeit_text(self, cq: CartQuote) -> str:
        """Which single-use voucher this cart leaves partly unused, and how much is lost."""
        parts = [self.tr("Warning: the {0} voucher of {1} is single-use; this cart uses {2} "
                         "of it and {3} will be forfeited.").format(
                     self.labels.categories(f.ent.cat), format_fen(f.ent.lim),
                     format_fen(f.drawn), format_fen(f.lost))
                 for f in forfeits(cq.code.claims, cq.at, cq.quote, cq.usage)]
        return " ".join(parts)

    def recorded(self, receipt: Receipt) -> BannerText:
        return BannerText("accepted", self.tr("Recorded · receipt {0}").format(
            receipt.receipt_no), self.tr("Covered {0} · customer pays {1}. Next customer: scan "
                                         "the code.").format(format_fen(receipt.covered),
                                                             format_fen(receipt.pays)))

    def undone(self, receipt_no: str) -> BannerText:
        return BannerText("info", self.tr("Undone: receipt {0} is void").format(receipt_no),
                          self.tr("Nothing was redeemed. Scan the code again if needed."))

    def ask_discard(self, again: bool = False) -> BannerText:
        if again:
            return BannerText("question", self.tr("Answer first: Enter or Esc"),
                              self.tr("The last code scanned was not used; scan it again "
                                      "afterwards. Enter: serve the new customer. Esc: keep "
                                      "this cart."))
        return BannerText("question", self.tr("A new code was scanned"),
                          self.tr("This cart is not confirmed yet. Enter: discard it and serve "
                                  "the new customer. Esc: keep this cart."))

    def kept(self) -> BannerText:
        return BannerText("info", self.tr("Cart kept; the new code was not used"),
                          self.tr("Confirm this cart (Enter), then scan the new code again."))

    def queued(self) -> BannerText:
        return BannerText("info", self.tr("Code received"),
                          self.tr("It is checked as soon as the current step ends."))

    def refused_busy(self) -> BannerText:
        return BannerText("rejected", self.tr("Another code is already waiting"),
                          self.tr("Scan this code again when the counter is ready."))

    def saving(self) -> BannerText:
        return BannerText("info", self.tr("Saving…"))
