"""The words of the 日结 and the reconciliation, zh_CN first, English too."""

from __future__ import annotations

from merchant_pos.domain.i18n import pick

_TEXTS: dict[str, dict[str, str]] = {
    "title": {"zh_CN": "日结报表", "en": "Daily settlement"},
    "range_title": {"zh_CN": "结算报表", "en": "Settlement"},
    "shop": {"zh_CN": "商户", "en": "Shop"},
    "device": {"zh_CN": "机号", "en": "Till"},
    "day": {"zh_CN": "营业日", "en": "Business day"},
    "days": {"zh_CN": "{0} 至 {1}", "en": "{0} to {1}"},
    "count": {"zh_CN": "笔数", "en": "Count"},
    "total": {"zh_CN": "金额", "en": "Total"},
    "covered": {"zh_CN": "补助", "en": "Covered"},
    "paid": {"zh_CN": "自付", "en": "Paid"},
    "reimbursable": {"zh_CN": "应结算", "en": "Reimbursable"},
    "awaiting": {"zh_CN": "待核定", "en": "Awaiting verdict"},
    "net": {"zh_CN": "调整后应结算", "en": "Net reimbursable"},
    "by_program": {"zh_CN": "按项目", "en": "By program"},
    "by_category": {"zh_CN": "按品类", "en": "By category"},
    "by_status": {"zh_CN": "按状态", "en": "By status"},
    "by_operator": {"zh_CN": "按收银员（交班）", "en": "By clerk (shift handover)"},
    "adjustments": {"zh_CN": "调整：撤销以前日期的兑换",
                    "en": "Adjustments: voids of earlier days"},
    "time_flagged": {"zh_CN": "时间存疑（单列）", "en": "Time flagged (listed apart)"},
    "entries": {"zh_CN": "明细", "en": "Entries"},
    "none": {"zh_CN": "无", "en": "none"},
    "status_pending": {"zh_CN": "待上传", "en": "pending"},
    "status_stuck": {"zh_CN": "上传受阻", "en": "stuck"},
    "status_accepted": {"zh_CN": "已确认", "en": "accepted"},
    "status_conflict": {"zh_CN": "冲突", "en": "conflict"},
    "status_rejected": {"zh_CN": "被拒", "en": "rejected"},
    "status_voided": {"zh_CN": "已撤销", "en": "voided"},
    "flag_clock_went_back": {"zh_CN": "时钟倒退", "en": "clock went back"},
    "flag_time_backwards": {"zh_CN": "服务器：时间倒退", "en": "server: time went backwards"},
    "flag_time_before_sync": {"zh_CN": "服务器：早于上次同步",
                              "en": "server: before the last sync"},
    "flag_time_in_future": {"zh_CN": "服务器：时间在未来", "en": "server: time in the future"},
    "flag_redeemed_in_future": {"zh_CN": "时间晚于服务器", "en": "later than the server's time"},
    "col_time": {"zh_CN": "时间", "en": "Time"},
    "col_receipt": {"zh_CN": "单号", "en": "Receipt"},
    "col_program": {"zh_CN": "项目", "en": "Program"},
    "col_categories": {"zh_CN": "品类", "en": "Categories"},
    "col_operator": {"zh_CN": "收银员", "en": "Clerk"},
    "col_status": {"zh_CN": "状态", "en": "Status"},
    "col_flag": {"zh_CN": "时间标记", "en": "Time flag"},
    "col_id": {"zh_CN": "流水号", "en": "Redemption id"},
    "col_original_day": {"zh_CN": "原营业日", "en": "Original day"},
    "col_group": {"zh_CN": "分组", "en": "Group"},
    "col_key": {"zh_CN": "项", "en": "Item"},
    "unknown": {"zh_CN": "待核定", "en": "not known yet"},
    "reconciled": {"zh_CN": "已与基金会对账一致", "en": "Reconciled with the foundation"},
    "changed": {"zh_CN": "对账后有变化，需重新对账", "en": "Changed since reconciled: check again"},
    "differences": {"zh_CN": "对账有差异", "en": "Differences with the foundation"},
    "unchecked": {"zh_CN": "尚未对账", "en": "Not reconciled yet"},
    "unreachable": {"zh_CN": "无法连接服务器，未能对账：{0}",
                    "en": "Cannot reach the server to reconcile: {0}"},
    "diff_missing_on_server": {"zh_CN": "{0}：本机有（{1}），服务器没有。",
                               "en": "{0}: here ({1}), not on the server."},
    "todo_missing_on_server": {"zh_CN": "请同步；同步后仍缺请联系基金会。",
                               "en": "Sync; if still missing after a sync, call the foundation."},
    "diff_not_here": {"zh_CN": "{0}：服务器有（{2}），本机没有。",
                      "en": "{0}: on the server ({2}), not in this till's records."},
    "todo_not_here": {"zh_CN": "本机记录可能丢失或被改动，请联系基金会核查。",
                      "en": "This till's records may be lost or altered: call the foundation."},
    "diff_status_differs": {"zh_CN": "{0}：本机状态 {1}，服务器 {2}。",
                            "en": "{0}: status here {1}, on the server {2}."},
    "todo_status_differs": {"zh_CN": "请同步以取得最新结果。",
                            "en": "Sync to get the latest verdict."},
    "diff_amount_differs": {"zh_CN": "{0}：本机金额/补助 {1}，服务器 {2}。",
                            "en": "{0}: total/covered here {1}, on the server {2}."},
    "todo_amount_differs": {"zh_CN": "金额不符，请联系基金会。",
                            "en": "The amounts disagree: call the foundation."},
    # the command line
    "usage_error": {"zh_CN": "{0}：用法有误：{1}（见 --help）", "en": "{0}: usage error: {1} "
                                                                    "(see --help)"},
    "bad_date": {"zh_CN": "日期格式应为 YYYY-MM-DD：{0}", "en": "a date is YYYY-MM-DD: {0}"},
    "bad_range": {"zh_CN": "结束日期早于开始日期。", "en": "the end date is before the start."},
    "range_too_long": {"zh_CN": "日期范围最长 366 天。", "en": "a date range is at most 366 days."},
    "no_ledger": {"zh_CN": "数据文件夹中没有本机记录：{0}", "en": "no till records in {0}"},
    "cannot_write": {"zh_CN": "无法写入 {0}：{1}", "en": "cannot write {0}: {1}"},
    "written": {"zh_CN": "已写入 {0}", "en": "written: {0}"},
    "unknown_receipt": {"zh_CN": "没有这个单号的记录：{0}", "en": "no redemption with receipt {0}"},
    "not_voided": {"zh_CN": "此单未撤销：{0}", "en": "this redemption is not voided: {0}"},
    "not_enrolled": {"zh_CN": "本机尚未连接服务器，无法对账。",
                     "en": "this till is not connected to a server: cannot reconcile."},
}


def text(key: str, language: str, *args: object) -> str:
    return pick(_TEXTS[key], language).format(*args)


def status(value: str, language: str) -> str:
    return text(f"status_{value}", language)


def flag(value: str, language: str) -> str:
    key = f"flag_{value}"
    return text(key, language) if key in _TEXTS else value
