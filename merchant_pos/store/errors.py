"""Why the ledger refused something, with the clerk's message in zh_CN and en."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from enum import StrEnum

from merchant_pos.domain.i18n import pick

log = logging.getLogger(__name__)


class LedgerErrorId(StrEnum):
    """Stable ids of the ledger's refusals (the UI maps them to messages below)."""

    DISK_FULL = "disk_full"
    READ_ONLY = "read_only"
    LOCKED = "database_locked"
    IO_ERROR = "io_error"
    CORRUPT = "database_corrupt"
    CANNOT_OPEN = "cannot_open"
    PRAGMAS_NOT_APPLIED = "pragmas_not_applied"
    DATABASE_TOO_NEW = "database_too_new"
    MIGRATION_FAILED = "migration_failed"
    NOT_CONFIGURED = "not_configured"
    CATEGORY_NOT_ALLOWED = "category_not_allowed"
    BAD_CART = "bad_cart"
    CART_TOO_LONG = "cart_too_long"
    CART_TOO_LARGE = "cart_too_large"
    VOID_REASON_TOO_LONG = "void_reason_too_long"
    NOTHING_COVERED = "nothing_covered"
    QUOTE_CHANGED = "quote_changed"
    ID_REUSED = "redemption_id_reused"
    UNKNOWN_REDEMPTION = "unknown_redemption"
    ALREADY_VOIDED = "already_voided"
    VOID_TOO_LATE = "void_too_late"
    VOID_REASON_REQUIRED = "void_reason_required"
    SUPERVISOR_REQUIRED = "supervisor_required"
    WRONG_PIN = "wrong_pin"
    OPERATOR_LOCKED = "operator_locked"
    UNKNOWN_OPERATOR = "unknown_operator"
    OPERATOR_EXISTS = "operator_exists"
    BAD_PIN_FORMAT = "bad_pin_format"
    BAD_OPERATOR_NAME = "bad_operator_name"
    SESSION_LOCKED = "session_locked"
    FIRST_SUPERVISOR_EXISTS = "first_supervisor_exists"
    # Redeem limits (merchant_pos.store.redeem_limits): checked inside redeem's transaction.
    OFFLINE_TOO_LONG = "offline_too_long"
    NEVER_SYNCED = "never_synced"
    UNSYNCED_CAP = "unsynced_cap"
    UNSYNCED_CAP_STUCK = "unsynced_cap_stuck"
    STALE_TRUST_LIST = "stale_trust_list"
    STALE_REVOCATIONS = "stale_revocations"
    DEVICE_REVOKED = "device_revoked"
    WEAK_PIN = "weak_pin"
    LAST_SUPERVISOR = "last_supervisor"
    BAD_RECOVERY_CODE = "bad_recovery_code"
    BAD_UNLOCK_CODE = "bad_unlock_code"
    CLOCK_BEHIND = "clock_behind"
    INVALID_SETTING = "invalid_setting"
    UNDO_NOT_ALLOWED = "undo_not_allowed"
    # Issue 13: a weak stored PIN must be changed; PINs and codes under a lost device secret.
    PIN_CHANGE_REQUIRED = "pin_change_required"
    PIN_KEY_CHANGED = "pin_key_changed"
    RECOVERY_KEY_CHANGED = "recovery_key_changed"
    UNLOCK_NEEDS_ENROLLMENT = "unlock_needs_enrollment"


MESSAGES: dict[LedgerErrorId, dict[str, str]] = {
    LedgerErrorId.DISK_FULL: {
        "zh_CN": "磁盘已满，本次核销未保存。请清理磁盘空间后重试",
        "en": "The disk is full; this redemption was not saved. Free some disk space and retry",
    },
    LedgerErrorId.READ_ONLY: {
        "zh_CN": "数据文件只读，本次操作未保存。请联系技术支持检查文件权限",
        "en": "The data file is read-only; nothing was saved. Ask support to check its permissions",
    },
    LedgerErrorId.LOCKED: {
        "zh_CN": "数据库正被其他程序占用，本次操作未保存，请稍后重试",
        "en": "The database is busy in another program; nothing was saved. Retry in a moment",
    },
    LedgerErrorId.IO_ERROR: {
        "zh_CN": "读写磁盘出错，本次操作未保存。请重试，若仍失败请联系技术支持",
        "en": "A disk read/write error occurred; nothing was saved. Retry, then call support",
    },
    LedgerErrorId.CORRUPT: {
        "zh_CN": "数据文件已损坏，请立即联系技术支持，不要删除任何文件",
        "en": "The data file is damaged; call support now and do not delete any file",
    },
    LedgerErrorId.CANNOT_OPEN: {
        "zh_CN": "无法打开数据文件，请检查数据目录是否存在且可写",
        "en": "The data file cannot be opened; check that the data folder exists and is writable",
    },
    LedgerErrorId.PRAGMAS_NOT_APPLIED: {
        "zh_CN": "数据库安全设置未生效（WAL/同步写入/外键），程序拒绝运行。请联系技术支持",
        "en": "The database safety settings (WAL, full sync, foreign keys) did not take; "
              "the program will not run. Call support",
    },
    LedgerErrorId.DATABASE_TOO_NEW: {
        "zh_CN": "数据文件由更新版本的程序创建，本版本不能打开。请升级本程序",
        "en": "The data file was made by a newer version of this program; "
              "this version will not open it. Please upgrade",
    },
    LedgerErrorId.MIGRATION_FAILED: {
        "zh_CN": "数据升级失败，原数据已备份且未改动。请联系技术支持",
        "en": "Upgrading the data failed; the original was backed up and left unchanged. "
              "Call support",
    },
    LedgerErrorId.NOT_CONFIGURED: {
        "zh_CN": "本机尚未完成商户设置，请先联网同步",
        "en": "This POS has no merchant settings yet; sync first",
    },
    LedgerErrorId.CATEGORY_NOT_ALLOWED: {
        "zh_CN": "本店不能核销此类别的商品：{subject}",
        "en": "This shop may not redeem items of this category: {subject}",
    },
    LedgerErrorId.BAD_CART: {
        "zh_CN": "购物清单有误：每行需要类别、正数金额和数量",
        "en": "The cart is not valid: each line needs a category, a positive amount and quantity",
    },
    LedgerErrorId.CART_TOO_LONG: {
        "zh_CN": "一单最多 {subject} 行商品，本单未保存。请分成几单核销",
        "en": "A cart may have at most {subject} lines; nothing was saved. "
              "Split it into several redemptions",
    },
    LedgerErrorId.CART_TOO_LARGE: {
        "zh_CN": "本单金额超出上限（{subject}），未保存。请检查金额",
        "en": "This cart's amount is over the limit ({subject}); nothing was saved. "
              "Check the amounts",
    },
    LedgerErrorId.VOID_REASON_TOO_LONG: {
        "zh_CN": "作废原因最多 {subject} 个字，请写短一些",
        "en": "A void reason has at most {subject} characters; please shorten it",
    },
    LedgerErrorId.NOTHING_COVERED: {
        "zh_CN": "此受助码不能抵扣本单中的任何商品，无需核销",
        "en": "This code covers nothing in this cart; there is nothing to redeem",
    },
    LedgerErrorId.QUOTE_CHANGED: {
        "zh_CN": "可抵扣金额已变化（可能刚在别处核销），请重新确认",
        "en": "The covered amount has changed (perhaps just redeemed elsewhere); "
              "please confirm again",
    },
    LedgerErrorId.ID_REUSED: {
        "zh_CN": "核销编号已被另一笔不同的核销使用，本次未保存",
        "en": "This redemption id already belongs to a different redemption; nothing was saved",
    },
    LedgerErrorId.UNKNOWN_REDEMPTION: {
        "zh_CN": "找不到这笔核销记录",
        "en": "This redemption was not found",
    },
    LedgerErrorId.ALREADY_VOIDED: {
        "zh_CN": "这笔核销已经作废",
        "en": "This redemption has already been voided",
    },
    LedgerErrorId.VOID_TOO_LATE: {
        "zh_CN": "只能作废当天的核销",
        "en": "Only redemptions of the same business day can be voided",
    },
    LedgerErrorId.VOID_REASON_REQUIRED: {
        "zh_CN": "请填写作废原因",
        "en": "Please give a reason for the void",
    },
    LedgerErrorId.SUPERVISOR_REQUIRED: {
        "zh_CN": "此操作需要主管授权",
        "en": "This needs a supervisor",
    },
    LedgerErrorId.WRONG_PIN: {
        "zh_CN": "密码错误",
        "en": "Wrong PIN",
    },
    LedgerErrorId.OPERATOR_LOCKED: {
        "zh_CN": "密码错误次数过多，该账号已锁定30分钟；可请主管输入密码立即解锁",
        "en": "Too many wrong PINs; this operator is locked for 30 minutes. "
              "A supervisor's PIN unlocks it at once",
    },
    LedgerErrorId.UNKNOWN_OPERATOR: {
        "zh_CN": "没有这个操作员",
        "en": "There is no such operator",
    },
    LedgerErrorId.OPERATOR_EXISTS: {
        "zh_CN": "已有同名操作员",
        "en": "An operator with this name already exists",
    },
    LedgerErrorId.BAD_PIN_FORMAT: {
        "zh_CN": "密码须为4到12位数字",
        "en": "A PIN is 4 to 12 digits",
    },
    LedgerErrorId.BAD_OPERATOR_NAME: {
        "zh_CN": "操作员姓名须为1到64个字符",
        "en": "An operator name is 1 to 64 characters",
    },
    LedgerErrorId.SESSION_LOCKED: {
        "zh_CN": "长时间未操作，已锁屏，请重新输入密码",
        "en": "Locked after inactivity; enter your PIN again",
    },
    LedgerErrorId.FIRST_SUPERVISOR_EXISTS: {
        "zh_CN": "已设置过主管账号",
        "en": "The first supervisor has already been created",
    },
    LedgerErrorId.OFFLINE_TOO_LONG: {
        "zh_CN": "本机已 {hours} 小时未与服务器同步（上限 {limit} 小时），暂停核销。"
                 "请联网并点击“立即同步”",
        "en": "This device has not synced for {hours} hours (limit {limit} hours), so "
              "redemptions are paused. Connect to the internet and press \u201cSync now\u201d",
    },
    LedgerErrorId.NEVER_SYNCED: {
        "zh_CN": "本机尚未与服务器同步过，请联网并点击“立即同步”",
        "en": "This device has never synced; connect to the internet and press "
              "\u201cSync now\u201d",
    },
    LedgerErrorId.UNSYNCED_CAP_STUCK: {
        "zh_CN": "未同步的补贴金额将达到 {total} 元（上限 {limit} 元），暂停核销。其中有 {stuck} "
                 "笔被服务器拒收：请打开“上传失败”列表，重试或导出交给技术支持",
        "en": "Unsynced covered amount would reach \u00a5{total} (limit \u00a5{limit}), so "
              "redemptions are paused. {stuck} of the entries were refused by the server: open "
              "the list of stuck entries, retry, or export them for support",
    },
    LedgerErrorId.UNSYNCED_CAP: {
        "zh_CN": "未同步的补贴金额将达到 {total} 元（上限 {limit} 元），暂停核销。"
                 "请联网并点击“立即同步”",
        "en": "Unsynced covered amount would reach \u00a5{total} (limit \u00a5{limit}), so "
              "redemptions are paused. Connect to the internet and press \u201cSync now\u201d",
    },
    LedgerErrorId.STALE_TRUST_LIST: {
        "zh_CN": "签发机构密钥已 {hours} 小时未更新（上限 {limit} 小时），暂停核销。请联网同步",
        "en": "Issuer keys were last updated {hours} hours ago (limit {limit} hours), so "
              "redemptions are paused; please sync",
    },
    LedgerErrorId.STALE_REVOCATIONS: {
        "zh_CN": "撤销名单已 {hours} 小时未更新（上限 {limit} 小时），暂停核销。请联网同步",
        "en": "The revocation list was last updated {hours} hours ago (limit {limit} hours), "
              "so redemptions are paused; please sync",
    },
    LedgerErrorId.DEVICE_REVOKED: {
        "zh_CN": "本机已被基金会停用，不能核销。请联系基金会",
        "en": "This device has been disabled by the foundation and may not redeem; "
              "please contact them",
    },
    LedgerErrorId.WEAK_PIN: {
        "zh_CN": "密码太容易被猜到（如0000、1234、1212），请换一个",
        "en": "This PIN is too easy to guess (like 0000, 1234 or 1212); choose another",
    },
    LedgerErrorId.LAST_SUPERVISOR: {
        "zh_CN": "不能删除最后一位主管，请先添加另一位主管",
        "en": "The last supervisor cannot be removed; add another supervisor first",
    },
    LedgerErrorId.BAD_RECOVERY_CODE: {
        "zh_CN": "恢复码不正确",
        "en": "This recovery code is not right",
    },
    LedgerErrorId.BAD_UNLOCK_CODE: {
        "zh_CN": "解锁码无效、已过期、已用过，或不是给本机和此操作员的",
        "en": "This unlock code is not valid: wrong, expired, already used, "
              "or made for another device or operator",
    },
    LedgerErrorId.CLOCK_BEHIND: {
        "zh_CN": "本机时钟比可信时间慢了约 {subject} 分钟，已暂停核销。"
                 "请把电脑时间调准，或联网同步后再试",
        "en": "This computer's clock is about {subject} minutes behind the trusted time; "
              "redemptions are paused. Set the clock right, or sync, then try again",
    },
    LedgerErrorId.INVALID_SETTING: {
        "zh_CN": "设置值无效，未保存任何更改",
        "en": "That setting value is not allowed; nothing was changed",
    },
    LedgerErrorId.UNDO_NOT_ALLOWED: {
        "zh_CN": "无法撤销：只能在几秒内撤销自己刚做的最后一笔核销。请让主管在今日记录中作废",
        "en": "Cannot undo: only your own last redemption, within a few seconds. Ask a "
              "supervisor to void it in today's redemptions",
    },
    LedgerErrorId.PIN_CHANGE_REQUIRED: {
        "zh_CN": "{subject}的密码太容易被猜到，须先修改密码，才能核销、批准作废或管理员工",
        "en": "{subject}'s PIN is too easy to guess: change it first; until then no "
              "redemption, void approval or staff change is allowed",
    },
    LedgerErrorId.PIN_KEY_CHANGED: {
        "zh_CN": "本机的设备密钥已更换（换了电脑或密钥库被清空），{subject}原来的密码无法再核对。"
                 "请向基金会索取一次性解锁码，输入解锁码并设置新密码",
        "en": "This counter's device secret was replaced (a new PC or a wiped keyring), so "
              "{subject}'s old PIN can no longer be checked. Ask the foundation for a "
              "one-time unlock code, enter it and choose a new PIN",
    },
    LedgerErrorId.RECOVERY_KEY_CHANGED: {
        "zh_CN": "本机的设备密钥已更换，原来的恢复码已失效。请向基金会索取一次性解锁码，"
                 "输入解锁码并设置新密码；之后主管可生成新的恢复码",
        "en": "This counter's device secret was replaced, so the old recovery code no longer "
              "works. Ask the foundation for a one-time unlock code, enter it and choose a new "
              "PIN; a supervisor can then make a new recovery code",
    },
    LedgerErrorId.UNLOCK_NEEDS_ENROLLMENT: {
        "zh_CN": "本机没有设备凭据（尚未登记，或密钥库被清空），无法核对解锁码。"
                 "请先重新登记本机（设置 → 服务器 → 重新连接到此服务器，"
                 "或命令 merchant-pos enroll），再向基金会索取解锁码",
        "en": "This counter has no device credentials (not enrolled, or its keyring was "
              "wiped), so unlock codes cannot be checked. Re-enroll it first (Settings → "
              "Server → Connect to this server anew, or merchant-pos enroll), then ask the "
              "foundation for an unlock code",
    },
}


def ledger_message(error: LedgerErrorId, language: str = "zh_CN") -> str:
    """The clerk's message for ``error`` in ``language`` (zh_CN or en)."""
    return pick(MESSAGES[error], language)


class LedgerError(Exception):
    """The ledger refused an operation; nothing was changed. ``error`` is the stable id."""

    def __init__(self, error: LedgerErrorId, detail: str = "", subject: str = "",
                 values: Mapping[str, str] | None = None) -> None:
        super().__init__(f"{error.value}: {detail}" if detail else error.value)
        self.error = error
        self.detail = detail
        self.subject = subject  # shown to the clerk where the message has a {subject}
        self.values = dict(values or {})  # figures for {hours}, {limit}, ... placeholders
        log.info("ledger refused: %s", self)  # the id and the detail, never code text

    def message(self, language: str = "zh_CN") -> str:
        return fill(ledger_message(self.error, language), {"subject": self.subject,
                                                           **self.values})


def fill(template: str, values: Mapping[str, str]) -> str:
    """``{name}`` placeholders replaced (no str.format: a stray brace cannot break it)."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


class WrongPin(LedgerError):
    """A wrong PIN; after the third in a row the message says how many tries are left."""

    SHOW_AFTER = 3

    def __init__(self, detail: str, failed_attempts: int, attempts_left: int) -> None:
        super().__init__(LedgerErrorId.WRONG_PIN, detail)
        self.failed_attempts = failed_attempts
        self.attempts_left = attempts_left

    def message(self, language: str = "zh_CN") -> str:
        if self.failed_attempts < self.SHOW_AFTER:
            return super().message(language)
        return pick({"zh_CN": f"密码错误，还可再试 {self.attempts_left} 次，之后账号将锁定30分钟",
                     "en": f"Wrong PIN: {self.attempts_left} tries left before this operator "
                           "is locked for 30 minutes"}, language)


class PinChangeRequired(LedgerError):
    """``operator`` signed in with a weak stored PIN: it must be changed before ``action``
    (``redeem``, ``void``, ``staff``, ``settings``); changing the own PIN stays allowed."""

    def __init__(self, operator: str, action: str) -> None:
        super().__init__(LedgerErrorId.PIN_CHANGE_REQUIRED, f"{operator}: {action}",
                         subject=operator)
        self.operator = operator
        self.action = action
