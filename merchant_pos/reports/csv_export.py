"""The 日结 as CSV: UTF-8 with a BOM (so Excel opens the Chinese), amounts in yuan."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from merchant_pos.reports import messages
from merchant_pos.reports.daily import DayReport, Totals


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def report_csv(report: DayReport, language: str = "zh_CN") -> str:
    def t(key: str, *args: object) -> str:
        return messages.text(key, language, *args)

    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([t("col_time"), t("col_receipt"), t("col_program"), t("col_categories"),
                t("col_operator"), t("col_status"), t("total"), t("covered"), t("paid"),
                t("reimbursable"), t("col_flag"), t("col_id")])
    for e in report.entries:
        owed = report.owed.get(e.id)
        cats = "、".join(dict.fromkeys(report.category_name(c) for c, _a, _v in e.lines))
        w.writerow([e.local_time, e.receipt_no, report.program_name(e.program), cats,
                    e.operator, messages.status(e.status, language), _yuan(e.total),
                    _yuan(e.covered), _yuan(e.paid),
                    t("unknown") if owed is None else _yuan(owed),
                    messages.flag(e.time_flag, language) if e.time_flag else "", e.id])
    w.writerow([])
    w.writerow([t("col_group"), t("col_key"), t("count"), t("total"), t("covered"), t("paid"),
                t("reimbursable"), t("awaiting")])

    def group(name: str, rows: dict[str, Totals], label: Callable[[str], str]) -> None:
        for key, tot in rows.items():
            w.writerow([t(name), label(key), tot.count, _yuan(tot.total), _yuan(tot.covered),
                        _yuan(tot.paid), _yuan(tot.reimbursable), _yuan(tot.awaiting)])

    group("by_program", report.by_program, report.program_name)
    group("by_category", report.by_category, report.category_name)
    group("by_status", report.by_status, lambda s: messages.status(s, language))
    group("by_operator", report.by_operator, lambda s: s)
    tot = report.totals
    w.writerow([t("total"), "", tot.count, _yuan(tot.total), _yuan(tot.covered),
                _yuan(tot.paid), _yuan(tot.reimbursable), _yuan(tot.awaiting)])
    if report.adjustments:
        w.writerow([])
        w.writerow([t("adjustments"), t("col_receipt"), t("col_original_day"), t("covered"),
                    t("col_id")])
        for a in report.adjustments:
            w.writerow([a.day.isoformat(), a.receipt_no, a.original_day.isoformat(),
                        _yuan(-a.covered), a.redemption_id])
        w.writerow([t("net"), "", "", _yuan(report.net_reimbursable)])
    return out.getvalue()


def write_csv(report: DayReport, path: str | Path, language: str = "zh_CN") -> None:
    Path(path).write_text(report_csv(report, language), encoding="utf-8-sig", newline="")
