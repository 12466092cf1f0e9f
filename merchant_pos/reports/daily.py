"""The 日结: a business day's (or a date range's) totals from the ledger.

Counts and totals by program, category, status and operator (a voided
redemption counts only under ``voided``: it was cancelled); covered (the
foundation's share) against customer-paid; the reimbursable amount, which is
the server's verdict: covered when accepted, the server's own quote for a
conflict (known once the day was compared with the server), nothing when
rejected or voided, not yet known while pending or stuck. Voids made on a day
of earlier days' redemptions are listed as that day's adjustments; entries
whose time is doubtful are listed apart.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from merchant_pos.reports.entries import STATUSES, Adjustment, DayEntries, Entry, day_entries
from merchant_pos.reports.server_state import ServerSnapshot, load_snapshots
from merchant_pos.store.ledger import Ledger


@dataclass
class Totals:
    count: int = 0
    total: int = 0
    covered: int = 0
    paid: int = 0
    reimbursable: int = 0
    awaiting: int = 0  # covered fen whose verdict (or the server's quote) is not known yet

    def add(self, total: int, covered: int, paid: int, owed: int | None,
            count: int = 1) -> None:
        self.count += count
        self.total += total
        self.covered += covered
        self.paid += paid
        if owed is None:
            self.awaiting += covered
        else:
            self.reimbursable += owed


@dataclass
class DayReport:
    first: date
    last: date
    shop: str
    device: str
    entries: tuple[Entry, ...]
    adjustments: tuple[Adjustment, ...]
    owed: dict[str, int | None]            # redemption id -> reimbursable (None: not known)
    totals: Totals = field(default_factory=Totals)
    by_program: dict[str, Totals] = field(default_factory=dict)
    by_category: dict[str, Totals] = field(default_factory=dict)
    by_status: dict[str, Totals] = field(default_factory=dict)
    by_operator: dict[str, Totals] = field(default_factory=dict)
    adjustment_totals: Totals = field(default_factory=Totals)
    program_names: dict[str, str] = field(default_factory=dict)
    category_names: dict[str, str] = field(default_factory=dict)

    @property
    def time_flagged(self) -> list[Entry]:
        return [e for e in self.entries if e.time_flag]

    @property
    def net_reimbursable(self) -> int:
        """Reimbursable of the days, less the earlier days' redemptions voided on them."""
        return self.totals.reimbursable - self.adjustment_totals.reimbursable

    def program_name(self, prg: str) -> str:
        return self.program_names.get(prg, prg)

    def category_name(self, cat: str) -> str:
        return self.category_names.get(cat, cat)


def reimbursable(entry: Entry, server: ServerSnapshot | None) -> int | None:
    """What the foundation owes for one entry, or None when not known yet."""
    if entry.status in ("rejected", "voided"):
        return 0
    if entry.status == "accepted":
        return entry.covered
    if entry.status == "conflict":
        item = server.items.get(entry.id) if server is not None else None
        if item is not None and item.status == "conflict":
            return item.reimbursable
        return None
    return None  # pending, stuck


def build_report(ledger: Ledger, first: date, last: date | None = None,
                 language: str = "zh_CN") -> DayReport:
    data: DayEntries = day_entries(ledger, first, last, language)
    snapshots = load_snapshots(ledger, {e.day for e in data.entries})
    report = DayReport(data.first, data.last, data.shop, data.device, data.entries,
                       data.adjustments, {}, program_names=data.program_names,
                       category_names=data.category_names)
    groups: dict[str, dict[str, Totals]] = {
        "program": defaultdict(Totals), "category": defaultdict(Totals),
        "status": {s: Totals() for s in STATUSES}, "operator": defaultdict(Totals)}
    for entry in data.entries:
        owed = reimbursable(entry, snapshots.get(entry.day))
        report.owed[entry.id] = owed
        groups["status"][entry.status].add(entry.total, entry.covered, entry.paid, owed)
        if entry.status == "voided":  # cancelled: only under its status
            continue
        report.totals.add(entry.total, entry.covered, entry.paid, owed)
        for name, key in (("program", entry.program), ("operator", entry.operator)):
            groups[name][key].add(entry.total, entry.covered, entry.paid, owed)
        per_cat: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for cat, amount, covered in entry.lines:
            per_cat[cat][0] += amount
            per_cat[cat][1] += covered
        for cat, (amount, covered) in per_cat.items():  # once per category, as the server
            share = None if owed is None else owed * covered // max(entry.covered, 1)
            groups["category"][cat].add(amount, covered, amount - covered, share)
    for adj in data.adjustments:
        # The voided redemption was owed its covered amount on its own day, if accepted.
        report.adjustment_totals.add(adj.covered + adj.paid, adj.covered, adj.paid,
                                     adj.covered)
    report.by_program = dict(sorted(groups["program"].items()))
    report.by_category = dict(sorted(groups["category"].items()))
    report.by_status = dict(groups["status"])
    report.by_operator = dict(sorted(groups["operator"].items()))
    return report
