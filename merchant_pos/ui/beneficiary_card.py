"""Who is at the counter and what their entitlements still cover."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from merchant_pos.domain.claims import Claims, Entitlement, Period, Unit
from merchant_pos.domain.money import format_fen
from merchant_pos.domain.quote import remaining_at
from merchant_pos.store.receipt_snapshot import ReceiptSnapshot
from merchant_pos.store.redemptions import CartQuote
from merchant_pos.ui.labels import Labels


class BeneficiaryCard(QFrame):
    """Masked name, program, validity and each entitlement's remaining balance.

    The card keeps one height (three entitlement lines; more scroll inside it), so
    no control below it moves between customers.
    """

    ENTITLEMENT_LINES = 3

    def __init__(self, labels: Labels, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("beneficiaryCard")
        self.labels = labels
        self.name = QLabel()
        self.name.setObjectName("beneficiaryName")
        self.program = QLabel()
        self.program.setObjectName("muted")
        self.entitlements = QLabel()
        self.entitlements.setObjectName("entitlements")
        self.entitlements.setTextFormat(Qt.TextFormat.PlainText)
        self.entitlements.setWordWrap(True)
        self.entitlement_scroll = QScrollArea()
        self.entitlement_scroll.setObjectName("entitlementScroll")
        self.entitlement_scroll.setWidgetResizable(True)
        self.entitlement_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.entitlement_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.entitlement_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        body = QWidget()
        body.setObjectName("entitlementBody")
        inner = QVBoxLayout(body)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(self.entitlements)
        inner.addStretch(1)
        self.entitlement_scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(2)
        layout.addWidget(self.name)
        layout.addWidget(self.program)
        layout.addWidget(self.entitlement_scroll, 1)
        self.show_empty()
        self._fix_height()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange):
            self._fix_height()
        super().changeEvent(event)

    def _fix_height(self) -> None:
        for label in (self.name, self.program, self.entitlements):
            label.ensurePolished()
        lines = self.entitlements.fontMetrics().lineSpacing() * self.ENTITLEMENT_LINES
        # Exactly three lines: no sliver of a fourth peeks under them (it scrolls in).
        self.entitlement_scroll.setFixedHeight(lines + 1)
        self.setFixedHeight(self.name.sizeHint().height() + self.program.sizeHint().height()
                            + lines + 6 + 8 + 8 + 4 + 4)

    def show_empty(self) -> None:
        self.name.setText(self.tr("No customer yet"))
        self.program.setText(self.tr("Scan the beneficiary's code to begin"))
        self.entitlements.setText("")

    def show_quote(self, cq: CartQuote) -> None:
        claims = cq.code.claims
        self._show(claims, remaining_at(claims, cq.at, cq.usage))

    def show_snapshot(self, snapshot: ReceiptSnapshot) -> None:
        """What is left right after a redemption, from the snapshot its write computed."""
        self._show(snapshot.claims(), snapshot.remaining)

    def _show(self, claims: Claims, remaining: Mapping[str, int]) -> None:
        self.name.setText(claims.nm or self.tr("Beneficiary {0}").format(claims.sub))
        until = datetime.fromtimestamp(claims.exp, claims.zone).strftime("%Y-%m-%d")
        self.program.setText(self.tr("{0} · valid until {1}").format(
            self.labels.program(claims.prg), until))
        rows = [self._row(e, remaining.get(e.id)) for e in claims.ent]
        self.entitlements.setText("\n".join(rows))

    def _row(self, ent: Entitlement, left: int | None) -> str:
        cats = self.labels.categories(ent.cat)
        if left is None:
            return self.tr("{0}: not active now").format(cats)
        period = {
            Period.TOTAL: self.tr("in total"), Period.DAY: self.tr("today"),
            Period.WEEK: self.tr("this week"), Period.MONTH: self.tr("this month"),
            Period.YEAR: self.tr("this year"),
        }[ent.per]
        if ent.once and left == 0:
            return f"• {cats}: " + self.tr("{0} voucher, used").format(format_fen(ent.lim))
        if ent.unit is Unit.FEN:
            amount = self.tr("{0} left {1}").format(format_fen(left), period)
            if ent.once:
                amount += self.tr(" (single use)")
        else:
            amount = self.tr("{0} of {1} left {2}, up to {3} each").format(
                left, ent.lim, period, format_fen(ent.val or 0))
        return f"• {cats}: {amount}"
