"""The 日结 as lines for the thermal roll (the summary slip) and for the terminal."""

from __future__ import annotations

from merchant_pos.printing.layout import PrintLine, money, two_columns, wrap
from merchant_pos.reports import messages
from merchant_pos.reports.daily import DayReport, Totals


def report_lines(report: DayReport, width: int, language: str = "zh_CN", *,
                 reconciliation: str | None = None) -> list[PrintLine]:
    def t(key: str, *args: object) -> str:
        return messages.text(key, language, *args)

    def pair(left: str, right: str, bold: bool = False) -> list[PrintLine]:
        return [PrintLine(x, bold=bold) for x in two_columns(left, right, width)]

    def block(title: str, rows: dict[str, Totals], label: object) -> list[PrintLine]:
        out = [PrintLine(kind="rule"), PrintLine(title, bold=True)]
        for key, tot in rows.items():
            if not tot.count:
                continue
            name = label(key) if callable(label) else key
            out += pair(f"{name} ×{tot.count}", money(tot.covered))
            out += pair(f"  {t('paid')}", money(tot.paid))
        return out

    single = report.first == report.last
    out = [PrintLine(report.shop, "center", bold=True, big=True),
           PrintLine(t("title") if single else t("range_title"), "center", bold=True),
           PrintLine(kind="rule")]
    out += pair(t("day"), report.first.isoformat() if single else
                t("days", report.first.isoformat(), report.last.isoformat()))
    out += pair(t("device"), report.device)
    tot = report.totals
    out += pair(t("count"), str(tot.count))
    out += pair(t("total"), money(tot.total))
    out += pair(t("covered"), money(tot.covered), bold=True)
    out += pair(t("paid"), money(tot.paid))
    out += pair(t("reimbursable"), money(tot.reimbursable), bold=True)
    if tot.awaiting:
        out += pair(t("awaiting"), money(tot.awaiting))
    out += block(t("by_status"), report.by_status, lambda s: messages.status(s, language))
    out += block(t("by_program"), report.by_program, report.program_name)
    out += block(t("by_category"), report.by_category, report.category_name)
    out += block(t("by_operator"), report.by_operator, None)
    if report.adjustments:
        out += [PrintLine(kind="rule"), PrintLine(t("adjustments"), bold=True)]
        for a in report.adjustments:
            out += pair(f"{a.receipt_no} ({a.original_day.isoformat()})", money(-a.covered))
        out += pair(t("net"), money(report.net_reimbursable), bold=True)
    flagged = report.time_flagged
    if flagged:
        out += [PrintLine(kind="rule"), PrintLine(t("time_flagged"), bold=True)]
        for e in flagged:
            out += pair(f"{e.receipt_no} {e.local_time[11:]}",
                        messages.flag(e.time_flag or "", language))
    if reconciliation is not None:
        out.append(PrintLine(kind="rule"))
        out += [PrintLine(x, "center", bold=True) for x in wrap(t(reconciliation), width)]
    return out
