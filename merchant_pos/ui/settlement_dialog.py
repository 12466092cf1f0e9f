"""The 日结 on screen: a business day's (or a date range's) settlement, read from the ledger
off the UI thread (:func:`merchant_pos.reports.daily.build_report`, the same report the CSV,
the PDF, the slip and ``merchant-pos report`` use).

Totals by program, category, status and clerk; covered against customer-paid; the
reimbursable amount the foundation owes; voids of earlier days as adjustments; entries
whose time is doubtful listed apart; the reconciliation state of each day with its
differences. Exports CSV and PDF, and prints through the records screen's printer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from merchant_pos.domain.money import format_fen
from merchant_pos.printing.targets import PrintError
from merchant_pos.reports import messages
from merchant_pos.reports.csv_export import write_csv
from merchant_pos.reports.daily import DayReport, Totals, build_report
from merchant_pos.reports.entries import days
from merchant_pos.reports.reconcile import overall_state, reconciled_state, stored_differences
from merchant_pos.ui.settlement_models import TextTableModel, TotalsModel, TotalsRow
from merchant_pos.ui.tasks import BackgroundTasks

if TYPE_CHECKING:
    from merchant_pos.ui.counter_window import CounterServices

MAX_DAYS = 366  # as the command line: a year's claim at most


@dataclass(frozen=True)
class Settlement:
    """What the window shows: the report and each day's reconciliation."""

    report: DayReport
    states: dict[date, str]
    differences: tuple[str, ...]  # in the clerk's words, to the redemption

    @property
    def overall(self) -> str:
        return overall_state(self.states.values())


def load_settlement(services: CounterServices, first: date, last: date) -> Settlement:
    """Reads the ledger (call it off the UI thread)."""
    ledger, lang = services.redemptions.ledger, services.language
    report = build_report(ledger, first, last, language=lang)
    states = {d: reconciled_state(ledger, d) for d in days(first, last)}
    diffs = tuple(f"{d.isoformat()} {diff.message(lang)}" for d in days(first, last)
                  if states[d] != "unchecked" for diff in stored_differences(ledger, d))
    return Settlement(report, states, diffs)


def _table(model: QAbstractTableModel, stretch: int | None = None) -> QTableView:
    """Columns as wide as their contents (no name cut short); ``stretch`` takes the rest
    (else the last column does)."""
    view = QTableView()
    view.setModel(model)
    view.verticalHeader().setVisible(False)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is None:
        header.setStretchLastSection(True)
    else:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view


class SettlementDialog(QDialog):
    """The 日结 window: a day (or a range), its totals, adjustments, doubtful times and
    reconciliation; export CSV / PDF, print."""

    loaded = Signal()     # a settlement is on screen (tests wait on it)
    exported = Signal(str)  # a file was written (or a print sent): its path, "" for print

    def __init__(self, services: CounterServices, parent: QWidget | None = None,
                 first: date | None = None, last: date | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.tasks = BackgroundTasks(self)
        self.settlement: Settlement | None = None
        self._asked = 0  # the newest load asked for; older answers are dropped
        self.setWindowTitle(self.tr("Day settlement"))
        zone = ZoneInfo(services.profile.time_zone)
        today = datetime.fromtimestamp(services.redemptions.ledger.clock(), zone).date()
        first = first or today
        self.first, self.last = self._date_edit(first), self._date_edit(last or first)
        self.range = QCheckBox(self.tr("Date range, to"))
        self.range.setChecked(last is not None and last != first)
        self.last.setEnabled(self.range.isChecked())
        self.range.toggled.connect(self._range_toggled)
        filters = QHBoxLayout()
        filters.addWidget(QLabel(self.tr("Business day")))
        filters.addWidget(self.first)
        filters.addWidget(self.range)
        filters.addWidget(self.last)
        filters.addStretch(1)
        self.headline = QLabel()
        self.headline.setObjectName("totals")
        self.headline.setWordWrap(True)
        self.reconciliation = QLabel()
        self.reconciliation.setObjectName("syncWarning")
        self.reconciliation.setWordWrap(True)
        self.totals_model = TotalsModel(self)
        self.totals = _table(self.totals_model)
        self.adjustments_model = TextTableModel(
            [self.tr("Voided on"), self.tr("Receipt"), self.tr("Original day"),
             self.tr("Covered")], self)
        self.time_model = TextTableModel(
            [self.tr("Time"), self.tr("Receipt"), self.tr("Covered"), self.tr("Why")], self)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        self.adjustments_title = QLabel()
        self.time_title = QLabel()
        self.net = QLabel()
        self.net.setObjectName("totals")
        self.net.setWordWrap(True)
        for title, model, stretch in ((self.adjustments_title, self.adjustments_model, 1),
                                      (self.time_title, self.time_model, 3)):
            title.setWordWrap(True)
            side_layout.addWidget(title)
            side_layout.addWidget(_table(model, stretch), 1)
            if model is self.adjustments_model:
                side_layout.addWidget(self.net)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.totals)
        split.addWidget(side)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 1)
        side.setMaximumWidth(440)  # the totals table gets the room
        self.message = QLabel()
        self.message.setObjectName("errorText")
        self.message.setWordWrap(True)
        self.csv_button = QPushButton(self.tr("Export CSV…"))
        self.csv_button.clicked.connect(lambda: self.export_csv())
        self.pdf_button = QPushButton(self.tr("Export PDF…"))
        self.pdf_button.clicked.connect(lambda: self.export_pdf())
        self.print_button = QPushButton(self.tr("Print the settlement"))
        self.print_button.clicked.connect(self.print_settlement)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for b in (self.csv_button, self.pdf_button, self.print_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.headline)
        layout.addWidget(self.reconciliation)
        layout.addWidget(split, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(1260, 720)
        self.first.dateChanged.connect(self._first_changed)
        self.last.dateChanged.connect(lambda _d: self.reload())
        self.reload()

    def _date_edit(self, day: date) -> QDateEdit:
        edit = QDateEdit(QDate(day.year, day.month, day.day))
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    def _first_changed(self, day: QDate) -> None:
        if not self.range.isChecked():  # one day: the range's end follows
            self.last.blockSignals(True)
            self.last.setDate(day)
            self.last.blockSignals(False)
        self.reload()

    def _range_toggled(self, on: bool) -> None:
        self.last.setEnabled(on)
        if not on:
            self.last.setDate(self.first.date())
        self.reload()

    def chosen_days(self) -> tuple[date, date]:
        def py(edit: QDateEdit) -> date:
            d = edit.date()
            return date(d.year(), d.month(), d.day())

        first = py(self.first)
        return first, py(self.last) if self.range.isChecked() else first

    # -- loading ---------------------------------------------------------------
    def reload(self) -> None:
        first, last = self.chosen_days()
        if last < first:
            self.message.setText(self.tr("The last day is before the first."))
            return
        if (last - first).days >= MAX_DAYS:
            self.message.setText(self.tr("A date range is at most 366 days."))
            return
        self._asked += 1
        asked, services = self._asked, self.services
        self._set_buttons(False)

        def failed(exc: BaseException) -> None:
            if asked == self._asked:
                self.message.setText(str(exc))
                self.loaded.emit()

        self.tasks.run(lambda: load_settlement(services, first, last),
                       lambda result: self._loaded(asked, result), failed)

    def _set_buttons(self, on: bool) -> None:
        for b in (self.csv_button, self.pdf_button, self.print_button):
            b.setEnabled(on)

    def _loaded(self, asked: int, settlement: Settlement) -> None:
        if asked != self._asked:
            return  # the clerk chose another day meanwhile
        self.settlement = settlement
        self.message.setText("")
        self._show(settlement)
        self._set_buttons(True)
        self.loaded.emit()

    def status_text(self, status: str) -> str:
        return {"pending": self.tr("Waiting to upload"), "stuck": self.tr("Stuck: not uploaded"),
                "accepted": self.tr("Accepted"), "conflict": self.tr("Conflict"),
                "rejected": self.tr("Rejected by the server"),
                "voided": self.tr("Voided")}[status]

    def state_text(self, state: str) -> str:
        return {"reconciled": self.tr("Reconciled with the foundation"),
                "changed": self.tr("Changed since reconciled: sync to check again"),
                "differences": self.tr("Differences with the foundation"),
                "unchecked": self.tr("Not reconciled yet (it is checked after a sync)")
                }.get(state, state)

    def _show(self, s: Settlement) -> None:
        r = s.report
        tot = r.totals
        days_text = r.first.isoformat() if r.first == r.last else self.tr("{0} to {1}").format(
            r.first.isoformat(), r.last.isoformat())
        self.headline.setText(self.tr(
            "{0} · {1} · reimbursable {2} · covered by aid {3} · customers paid {4}"
            " · awaiting verdict {5}").format(
            days_text, self.tr("%n redemption(s)", "", tot.count),
            format_fen(r.net_reimbursable), format_fen(tot.covered), format_fen(tot.paid),
            format_fen(tot.awaiting)))
        lines = [self.state_text(s.overall)]
        if r.first != r.last:
            counts: dict[str, int] = {}
            for state in s.states.values():
                counts[state] = counts.get(state, 0) + 1
            lines.append(" · ".join(self.tr("%n day(s): {0}", "", n).format(self.state_text(k))
                                    for k, n in counts.items()))
        lines += s.differences
        self.reconciliation.setText("\n".join(lines))
        self.reconciliation.setProperty("state", s.overall)
        rows: list[TotalsRow] = []
        groups: list[tuple[str, str, dict[str, Totals], Any]] = [
            ("program", self.tr("By program"), r.by_program, r.program_name),
            ("category", self.tr("By category"), r.by_category, r.category_name),
            ("status", self.tr("By status"), r.by_status, self.status_text),
            ("operator", self.tr("By clerk (shift handover)"), r.by_operator, str)]
        for group, title, by, label in groups:
            rows.append(TotalsRow("group", group, "", title, None))
            rows += [TotalsRow("row", group, k, label(k), v) for k, v in by.items()]
            if not by:
                rows.append(TotalsRow("row", group, "", self.tr("none"), None))
        rows.append(TotalsRow("total", "total", "", self.tr("Total (voided not counted)"), tot))
        self.totals_model.set_rows(rows)
        self.totals.clearSpans()
        for i, row in enumerate(rows):
            if row.kind == "group":  # a block's title across the table
                self.totals.setSpan(i, 0, 1, TotalsModel.COLUMNS)
        self.adjustments_title.setText(self.tr("Adjustments: voids of earlier days ({0})")
                                       .format(len(r.adjustments)))
        self.adjustments_model.set_rows([
            [a.day.isoformat(), a.receipt_no, a.original_day.isoformat(),
             format_fen(-a.covered)] for a in r.adjustments])
        self.net.setText(self.tr("Reimbursable {0} − adjustments {1} = net {2}").format(
            format_fen(tot.reimbursable), format_fen(r.adjustment_totals.reimbursable),
            format_fen(r.net_reimbursable)))
        flagged = r.time_flagged
        self.time_title.setText(self.tr("Time flagged, listed apart ({0})").format(len(flagged)))
        lang = self.services.language
        self.time_model.set_rows([
            [e.local_time, e.receipt_no, format_fen(e.covered),
             messages.flag(e.time_flag or "", lang)] for e in flagged])

    # -- output ----------------------------------------------------------------
    def _file_name(self, suffix: str) -> str:
        first, last = self.chosen_days()
        span = first.isoformat() if first == last else f"{first.isoformat()}_{last.isoformat()}"
        name = self.tr("settlement")
        return f"{name}-{span}.{suffix}"

    def _ask_path(self, suffix: str, kind: str) -> str:
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Save the settlement"), str(Path.home() / self._file_name(suffix)),
            kind)
        return path

    def export_csv(self, path: str | None = None) -> None:
        """Write the settlement on screen as CSV (UTF-8 with a BOM); asks where when no
        ``path`` is given."""
        s = self.settlement
        path = path or self._ask_path("csv", self.tr("CSV (Excel) files (*.csv)"))
        if s is None or not path:
            return
        lang = self.services.language
        self._write(path, lambda: write_csv(s.report, path, lang))

    def export_pdf(self, path: str | None = None) -> None:
        """Write the settlement on screen as A4 PDF pages (the command line's PDF)."""
        s = self.settlement
        path = path or self._ask_path("pdf", self.tr("PDF files (*.pdf)"))
        if s is None or not path:
            return
        from merchant_pos.ui.qt_pdf import report_pdf

        lang = self.services.language
        self._write(path, lambda: report_pdf(s.report, path, lang, s.overall))

    def _write(self, path: str, write: Any) -> None:
        def done(_none: object) -> None:
            self.message.setText(self.tr("Written: {0}").format(path))
            self.exported.emit(path)

        def failed(exc: BaseException) -> None:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.message.setText(self.tr("Could not write {0}: {1}").format(path, reason))
            self.exported.emit("")

        self.tasks.run(write, done, failed)

    def print_settlement(self) -> None:
        """On the receipt printer (the records screen's path): a slip, or A4 pages on a
        system printer."""
        printer = self.services.extras.get("receipt_printer")
        if printer is None:
            self.message.setText(self.tr("No receipt printer is set up"))
            return
        first, last = self.chosen_days()
        lang = self.services.language
        self.print_button.setEnabled(False)

        def done(_none: object) -> None:
            self.print_button.setEnabled(True)
            self.message.setText(self.tr("The settlement was sent to the printer"))
            self.exported.emit("")

        def failed(exc: BaseException) -> None:
            self.print_button.setEnabled(True)
            self.message.setText(exc.message(lang) if isinstance(exc, PrintError) else str(exc))
            self.exported.emit("")

        self.tasks.run(lambda: printer.print_day_report(first, last), done, failed)
