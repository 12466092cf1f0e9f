"""The words on receipts and slips, zh_CN first, English too (Qt-free: a message table)."""

from __future__ import annotations

from merchant_pos.domain.i18n import pick

_TEXTS: dict[str, dict[str, str]] = {
    "receipt_title": {"zh_CN": "补助兑换凭条", "en": "Aid redemption receipt"},
    "void_title": {"zh_CN": "撤销凭条", "en": "Void slip"},
    "copy": {"zh_CN": "重印 COPY", "en": "REPRINT COPY"},
    "receipt_no": {"zh_CN": "单号", "en": "No."},
    "device": {"zh_CN": "机号", "en": "Till"},
    "time": {"zh_CN": "时间", "en": "Time"},
    "operator": {"zh_CN": "收银员", "en": "Clerk"},
    "beneficiary": {"zh_CN": "受助人", "en": "Beneficiary"},
    "program": {"zh_CN": "项目", "en": "Program"},
    "covered_short": {"zh_CN": "补助", "en": "aid"},
    "total": {"zh_CN": "合计", "en": "Total"},
    "covered": {"zh_CN": "补助支付", "en": "Covered by aid"},
    "paid": {"zh_CN": "顾客自付", "en": "Customer paid"},
    "remaining": {"zh_CN": "本次后剩余", "en": "Left after this"},
    "left_units": {"zh_CN": "{0}次", "en": "{0}x"},
    "until": {"zh_CN": "至{0}", "en": "until {0}"},
    "earliest_expiry": {"zh_CN": "最早到期", "en": "Earliest expiry"},
    "pending_upload": {"zh_CN": "待上传", "en": "Not yet uploaded"},
    "keep": {"zh_CN": "请保留此凭条，如有疑问请咨询店员",
             "en": "Keep this receipt. Questions: ask the shop."},
    "voided_receipt": {"zh_CN": "撤销单号", "en": "Voids receipt"},
    "void_time": {"zh_CN": "撤销时间", "en": "Voided at"},
    "void_reason": {"zh_CN": "原因", "en": "Reason"},
    "supervisor": {"zh_CN": "主管", "en": "Supervisor"},
    "void_returned": {"zh_CN": "退回补助", "en": "Aid returned"},
    "void_note": {"zh_CN": "原凭条作废。", "en": "The original receipt is void."},
    "test_title": {"zh_CN": "打印测试", "en": "Printer test"},
    "test_line": {"zh_CN": "中文 GBK 测试：￥12.34 ×2", "en": "Chinese GBK test: ￥12.34 ×2"},
    "test_ok": {"zh_CN": "看到此页说明打印机设置正确。",
                "en": "If you can read this, the printer is set up."},
    "per_total": {"zh_CN": "共计", "en": "in total"},
    "per_day": {"zh_CN": "每天", "en": "per day"},
    "per_week": {"zh_CN": "每周", "en": "per week"},
    "per_month": {"zh_CN": "每月", "en": "per month"},
    "per_year": {"zh_CN": "每年", "en": "per year"},
    # the print queue, told to the clerk
    "print_failed": {"zh_CN": "凭条 {0} 未能打印（{1}），已排队，稍后重试；也可在记录中重印。",
                     "en": "Receipt {0} did not print ({1}); it is queued and will be retried, "
                           "or reprint it from the records."},
    "print_done": {"zh_CN": "凭条 {0} 已打印。", "en": "Receipt {0} printed."},
    "no_printer": {"zh_CN": "未设置打印机", "en": "no printer set up"},
    "offline": {"zh_CN": "打印机未连接", "en": "printer offline"},
    "disconnected": {"zh_CN": "打印中连接断开", "en": "printer disconnected mid-job"},
    "no_paper": {"zh_CN": "打印机缺纸", "en": "printer out of paper"},
    "bad_target": {"zh_CN": "打印机地址无效：{0}", "en": "not a printer address: {0}"},
    "unsupported": {"zh_CN": "此电脑不支持该打印方式：{0}",
                    "en": "this computer cannot print that way: {0}"},
    "printer_gone": {"zh_CN": "找不到系统打印机“{0}”", "en": "system printer “{0}” not found"},
    "system_failed": {"zh_CN": "系统打印机未接受打印任务",
                      "en": "the system printer refused the job"},
    "io_error": {"zh_CN": "打印机错误：{0}", "en": "printer error: {0}"},
}


def text(key: str, language: str, *args: object) -> str:
    return pick(_TEXTS[key], language).format(*args)
