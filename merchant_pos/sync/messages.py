"""What the clerk reads about syncing, in zh_CN (first) and en.

Every message is keyed by a stable id so the UI can translate, log and test
by id; ``text(id, language, **values)`` fills in the figures.
"""

from __future__ import annotations

from typing import Any

from merchant_pos.domain.i18n import pick

MESSAGES: dict[str, dict[str, str]] = {
    # connection and server errors
    "network_unreachable": {
        "zh_CN": "无法连接服务器 {server}，请检查网络后重试",
        "en": "Cannot reach the server {server}; check the network and try again",
    },
    "timeout": {
        "zh_CN": "服务器响应超时，稍后将自动重试",
        "en": "The server did not answer in time; it will be retried automatically",
    },
    "server_busy": {
        "zh_CN": "服务器繁忙（{status}），稍后将自动重试",
        "en": "The server is busy ({status}); it will be retried automatically",
    },
    "bad_response": {
        "zh_CN": "服务器的回复不完整，稍后将自动重试",
        "en": "The server's answer was incomplete; it will be retried automatically",
    },
    "bad_certificate": {
        "zh_CN": "服务器证书无法验证，连接已中止。请联系基金会核对服务器地址和证书",
        "en": "The server's certificate could not be verified, so the connection was stopped. "
              "Ask the foundation to check the server address and certificate",
    },
    "reenroll_needed": {
        "zh_CN": "本机的登记已失效，请向基金会索取新的登记码并重新登记本机",
        "en": "This device's enrollment is no longer valid; ask the foundation for a new "
              "enrollment code and enroll this device again",
    },
    "device_revoked": {
        "zh_CN": "本机已被基金会停用，请联系基金会",
        "en": "This device has been disabled by the foundation; please contact them",
    },
    "request_refused": {
        "zh_CN": "服务器拒绝了请求：{detail}",
        "en": "The server refused the request: {detail}",
    },
    "local_ledger": {
        "zh_CN": "本机数据库无法写入：{detail}",
        "en": "The local database could not be written: {detail}",
    },
    "not_enrolled": {
        "zh_CN": "本机尚未登记，请先用基金会提供的登记码登记",
        "en": "This device is not enrolled yet; enroll it with the code from the foundation",
    },
    # enrollment
    "enroll_wrong_code": {
        "zh_CN": "登记码不正确，请核对后重新输入",
        "en": "The enrollment code is not correct; check it and type it again",
    },
    "enroll_expired_code": {
        "zh_CN": "登记码已过期或已被使用，请向基金会索取新的登记码",
        "en": "The enrollment code has expired or was already used; ask the foundation "
              "for a new one",
    },
    "enroll_bad_url": {
        "zh_CN": "服务器地址无效：{detail}",
        "en": "The server address is not valid: {detail}",
    },
    "enroll_try_later": {
        "zh_CN": "服务器暂时无法完成登记（已自动重试多次）。"
                 "登记码没有作废，请过几分钟用同一个登记码再试",
        "en": "The server could not complete the enrollment just now (retried automatically "
              "several times). The code is not used up: try again with the same code in a "
              "few minutes",
    },
    "insecure_http": {
        "zh_CN": "服务器地址 {server} 不是 https://，本机的凭证会以明文传输，已拒绝。"
                 "请使用 https:// 地址（仅实验环境可加 --insecure-http）",
        "en": "The server address {server} is not https://, so this device's credentials "
              "would travel in clear; refused. Use an https:// address (--insecure-http is "
              "for lab use only)",
    },
    "insecure_http_warning": {
        "zh_CN": "警告：与 {server} 的连接未加密（--insecure-http），仅限实验环境使用",
        "en": "Warning: the connection to {server} is not encrypted (--insecure-http); "
              "for lab use only",
    },
    "token_expired": {
        "zh_CN": "本机太久没有同步，登记已过期。本机记录都还在：请向基金会索取新的登记码重新登记，"
                 "登记后会自动上传",
        "en": "This device has not synced for too long and its enrollment has expired. "
              "Its records are all kept: enroll again with a new code from the foundation "
              "and they will be uploaded",
    },
    "enroll_ok": {
        "zh_CN": "本机已登记到 {merchant}",
        "en": "This device is now enrolled for {merchant}",
    },
    # clock
    "device_flagged": {
        "zh_CN": "服务器已将本机的 {count} 项记录标记为待核查（账目或时间异常），请联系基金会",
        "en": "The server has flagged {count} of this counter's records for review "
              "(books or clock); contact the foundation",
    },
    "clock_skew": {
        "zh_CN": "本机时间与服务器相差 {minutes} 分钟，请校正电脑时间（已按服务器时间记录）",
        "en": "This computer's clock is {minutes} minutes off the server's; please correct it "
              "(redemptions use the server's time)",
    },
    # offline risk policy
    "offline_too_long": {
        "zh_CN": "本机已 {hours} 小时未与服务器同步（上限 {limit} 小时），暂停核销。"
                 "请联网并点击“立即同步”",
        "en": "This device has not synced for {hours} hours (limit {limit} hours), so "
              "redemptions are paused. Connect to the internet and press \u201cSync now\u201d",
    },
    "never_synced": {
        "zh_CN": "本机尚未与服务器同步过，请联网并点击“立即同步”",
        "en": "This device has never synced; connect to the internet and press "
              "\u201cSync now\u201d",
    },
    "unsynced_cap": {
        "zh_CN": "未同步的补贴金额将达到 {total} 元（上限 {limit} 元），暂停核销。"
                 "请联网并点击“立即同步”",
        "en": "Unsynced covered amount would reach \u00a5{total} (limit \u00a5{limit}), so "
              "redemptions are paused. Connect to the internet and press \u201cSync now\u201d",
    },
    "stale_trust_list": {
        "zh_CN": "签发机构密钥已 {hours} 小时未更新（上限 {limit} 小时），请联网同步",
        "en": "Issuer keys were last updated {hours} hours ago (limit {limit} hours); "
              "please sync",
    },
    "stale_revocations": {
        "zh_CN": "撤销名单已 {hours} 小时未更新（上限 {limit} 小时），请联网同步",
        "en": "The revocation list was last updated {hours} hours ago (limit {limit} hours); "
              "please sync",
    },
    # sync outcome
    "sync_ok": {
        "zh_CN": "同步完成：上传 {pushed} 笔，全部已确认",
        "en": "Sync complete: {pushed} redemptions sent, all confirmed",
    },
    "sync_stuck": {
        "zh_CN": "同步未完成：有 {count} 笔记录服务器拒收，仍保留在本机未上传。"
                 "请打开“上传失败”列表查看原因，可重试或导出交给技术支持",
        "en": "Sync not complete: the server refused {count} entries; they are kept here, "
              "not uploaded. Open the list of stuck entries for the reasons, then retry "
              "or export them for support",
    },
    "sync_stuck_state": {
        "zh_CN": "同步未完成：有记录被服务器拒收，请查看“上传失败”列表",
        "en": "Sync not complete: the server refused some entries; see the stuck entries",
    },
    "stuck_export_how": {
        "zh_CN": "导出：merchant-pos sync --export-stuck 文件名.json",
        "en": "To export: merchant-pos sync --export-stuck FILE.json",
    },
    "stuck_exported": {
        "zh_CN": "已导出 {count} 笔上传失败的记录到 {path}。文件含受助码，只可交给基金会技术支持",
        "en": "Exported {count} stuck entries to {path}. The file holds beneficiaries' "
              "codes: give it only to the foundation's support staff",
    },
    "stuck_export_exists": {
        "zh_CN": "文件 {path} 已存在，未覆盖。请换一个文件名",
        "en": "The file {path} already exists and was not overwritten; choose another name",
    },
    "stuck_export_failed": {
        "zh_CN": "导出失败：{detail}",
        "en": "The export failed: {detail}",
    },
    "stuck_indicator": {
        "zh_CN": "{count} 笔上传失败",
        "en": "{count} stuck",
    },
    "stuck_what_to_do": {
        "zh_CN": "记录不会丢失，也不影响继续核销。请先点“重试”；若仍失败，点“导出”"
                 "并把文件交给基金会技术支持（文件含受助码，请勿外传）",
        "en": "Nothing is lost, and you can go on redeeming. Press Retry first; if it still "
              "fails, press Export and give the file to the foundation's support staff "
              "(it holds beneficiaries' codes: do not share it elsewhere)",
    },
    "stuck_reason_other": {
        "zh_CN": "服务器拒收（{reason}）",
        "en": "Refused by the server ({reason})",
    },
    "sync_cancelled": {
        "zh_CN": "同步已中止，未上传的记录已保留，下次同步继续",
        "en": "Sync stopped; nothing is lost, unsent records will go at the next sync",
    },
    "sync_conflicts": {
        "zh_CN": "{count} 笔核销与其他商户的使用冲突，请查看“冲突”列表",
        "en": "{count} redemptions conflict with use at other shops; see the Conflicts list",
    },
}


def text(message_id: str, language: str = "zh_CN", **values: Any) -> str:
    """The message ``message_id`` in ``language`` with ``values`` filled in."""
    return pick(MESSAGES[message_id], language).format(**values)


def yuan(fen: int) -> str:
    """Integer fen as a yuan figure for messages (no float arithmetic)."""
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(fen), 100)
    return f"{sign}{whole}.{part:02d}"


SERVER_REASONS: dict[str, dict[str, str]] = {
    "category_not_allowed": {"zh_CN": "本店不能核销该类别", "en": "this shop may not redeem "
                             "that category"},
    "draws_invalid": {"zh_CN": "核销明细与受助码不符", "en": "the draws do not match the code"},
    "redeemed_in_future": {"zh_CN": "核销时间晚于服务器时间，请检查电脑时间",
                           "en": "redemption time is in the future; check the computer's clock"},
    "void_target_unknown": {"zh_CN": "服务器上找不到要撤销的核销",
                            "en": "the server does not know the redemption being voided"},
    "already_voided": {"zh_CN": "该核销已被撤销", "en": "that redemption was already voided"},
    "uuid_reused": {"zh_CN": "同一编号的记录内容不同，已保留待查",
                    "en": "a record with the same id but different content; kept for review"},
    "invalid_request": {"zh_CN": "服务器无法接受此记录，已保留待查",
                        "en": "the server cannot accept this record; kept for review"},
    "unsendable": {"zh_CN": "本机的这条记录已损坏，无法上传",
                   "en": "this record is damaged on this counter and cannot be sent"},
}
PERIODS = {"total": ("总额", "in total"), "day": ("每天", "per day"), "week": ("每周", "per week"),
           "month": ("每月", "per month"), "year": ("每年", "per year")}


def _amount(value: int, unit: str, zh: bool) -> str:
    if unit == "count":
        return f"{value} 次" if zh else f"{value} times"
    return f"{yuan(value)} 元" if zh else f"\u00a5{yuan(value)}"


def describe_server_flag(status: str, detail: Any, language: str = "zh_CN") -> str:
    """The clerk's sentence for a conflict or rejection, from the stored server detail."""
    zh = not language.startswith("en")
    detail = detail if isinstance(detail, dict) else {}
    if status == "conflict":
        parts = []
        conflict = detail.get("conflict") or {}
        for ex in conflict.get("exceeded", []) if isinstance(conflict, dict) else []:
            unit = str(ex.get("unit", "fen"))
            per_zh, per_en = PERIODS.get(str(ex.get("per")), ("", ""))
            lim = _amount(int(ex.get("lim", 0)), unit, zh)
            before = _amount(int(ex.get("used_before", 0)), unit, zh)
            drawn = _amount(int(ex.get("drawn", 0)), unit, zh)
            parts.append(
                f"{ex.get('ent')}：限额{per_zh} {lim}，此前他处已用 {before}，本笔 {drawn}" if zh
                else f"{ex.get('ent')}: limit {lim} {per_en}, already used elsewhere {before}, "
                     f"this redemption {drawn}")
        head = "与其他商户的使用冲突" if zh else "Conflicts with use at another shop"
        return head + ("：" if zh else ": ") + ("；" if zh else "; ").join(parts) if parts else head
    reason = str(detail.get("reason") or "")
    text_for_reason = SERVER_REASONS.get(reason, {}).get("zh_CN" if zh else "en")
    if text_for_reason is None and reason:
        from merchant_pos.domain.errors import ErrorId, message
        try:
            text_for_reason = message(ErrorId(reason), "zh_CN" if zh else "en")
        except ValueError:
            text_for_reason = str(detail.get("message") or reason)
    head = "服务器拒绝了此核销" if zh else "The server rejected this redemption"
    return f"{head}：{text_for_reason}" if zh and text_for_reason else (
        f"{head}: {text_for_reason}" if text_for_reason else head)


def describe_stuck_reason(reason: str, language: str = "zh_CN") -> str:
    """Why the server will not take an entry, for the clerk (the id for unknown ones)."""
    known = SERVER_REASONS.get(reason)
    if known is not None:
        return pick(known, language)
    return text("stuck_reason_other", language, reason=reason)
