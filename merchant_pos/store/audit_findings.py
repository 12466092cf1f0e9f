"""What ``audit verify`` can find wrong, each with its message in zh_CN and en."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from merchant_pos.domain.i18n import pick


class FindingId(StrEnum):
    # the chain itself
    ROW_MISSING = "row_missing"
    LINK_BROKEN = "link_broken"
    HASH_MISMATCH = "hash_mismatch"
    HEAD_MISMATCH = "head_mismatch"
    NOT_KEYED = "not_keyed"
    PLAIN_CHAIN_WAS_BROKEN = "plain_chain_was_broken"
    # the books against the chain
    REDEMPTION_NOT_AUDITED = "redemption_not_audited"
    REDEMPTION_DIFFERS = "redemption_differs"
    LINES_DIFFER = "lines_differ"
    AUDITED_REDEMPTION_MISSING = "audited_redemption_missing"
    VOID_NOT_AUDITED = "void_not_audited"
    AUDITED_VOID_MISSING = "audited_void_missing"
    VOID_STATUS_DIFFERS = "void_status_differs"
    OUTBOX_NOT_AUDITED = "outbox_not_audited"
    OUTBOX_DIFFERS = "outbox_differs"
    OUTBOX_ENTRY_MISSING = "outbox_entry_missing"
    OPERATOR_NOT_AUDITED = "operator_not_audited"
    AUDITED_OPERATOR_MISSING = "audited_operator_missing"
    OPERATOR_DIFFERS = "operator_differs"
    PROFILE_DIFFERS = "profile_differs"
    # the usage totals against the draws (issue 14)
    USAGE_TOTALS_DIFFER = "usage_totals_differ"


MESSAGES: dict[FindingId, dict[str, str]] = {
    FindingId.ROW_MISSING: {
        "zh_CN": "审计记录第 {seq} 条起被改动：缺少第 {subject} 条或顺序被打乱",
        "en": "The audit trail was tampered with from row {seq}: row {subject} is missing "
              "or out of order"},
    FindingId.LINK_BROKEN: {
        "zh_CN": "审计记录第 {seq} 条起被改动：与上一条的链接断开（有记录被删除或调换）",
        "en": "The audit trail was tampered with from row {seq}: the link to the previous row "
              "is broken (a row was deleted or reordered)"},
    FindingId.HASH_MISMATCH: {
        "zh_CN": "审计记录第 {seq} 条起被改动：内容与其校验值不符",
        "en": "The audit trail was tampered with from row {seq}: its content does not match "
              "its keyed hash"},
    FindingId.HEAD_MISMATCH: {
        "zh_CN": "审计记录被截断或末尾标记被改动（链/末尾：{subject}）",
        "en": "The audit trail was truncated or its head altered (chain/head: {subject})"},
    FindingId.NOT_KEYED: {
        "zh_CN": "审计记录未用本机密钥签过，可能被整体替换",
        "en": "The audit trail is not keyed with this device's secret; it may have been "
              "replaced"},
    FindingId.PLAIN_CHAIN_WAS_BROKEN: {
        "zh_CN": "升级前的审计记录在第 {seq} 条已被改动（升级时发现）",
        "en": "The audit trail from before the upgrade was already broken at row {seq} "
              "(found when it was keyed)"},
    FindingId.REDEMPTION_NOT_AUDITED: {
        "zh_CN": "核销 {subject} 没有对应的审计记录",
        "en": "Redemption {subject} has no audit entry"},
    FindingId.REDEMPTION_DIFFERS: {
        "zh_CN": "核销 {subject} 的金额与审计记录第 {seq} 条不符",
        "en": "Redemption {subject}: its totals differ from audit row {seq}"},
    FindingId.LINES_DIFFER: {
        "zh_CN": "核销 {subject} 的明细合计与核销金额不符",
        "en": "Redemption {subject}: its lines do not add up to its covered total"},
    FindingId.AUDITED_REDEMPTION_MISSING: {
        "zh_CN": "审计记录第 {seq} 条的核销 {subject} 在账目中不存在（被删除）",
        "en": "Audit row {seq} records redemption {subject}, which is not in the books "
              "(deleted)"},
    FindingId.VOID_NOT_AUDITED: {
        "zh_CN": "作废 {subject} 没有对应的审计记录",
        "en": "Void {subject} has no audit entry"},
    FindingId.AUDITED_VOID_MISSING: {
        "zh_CN": "审计记录第 {seq} 条的作废 {subject} 在账目中不存在（作废被撤销）",
        "en": "Audit row {seq} records void {subject}, which is not in the books "
              "(the void was undone)"},
    FindingId.VOID_STATUS_DIFFERS: {
        "zh_CN": "核销 {subject} 的作废状态与作废记录不符",
        "en": "Redemption {subject}: its voided status does not match the voids"},
    FindingId.OUTBOX_NOT_AUDITED: {
        "zh_CN": "待上传记录 {subject} 没有对应的审计记录",
        "en": "Outbox entry {subject} has no audit entry"},
    FindingId.OUTBOX_DIFFERS: {
        "zh_CN": "待上传记录 {subject} 的内容与审计记录第 {seq} 条不符",
        "en": "Outbox entry {subject} differs from audit row {seq}"},
    FindingId.OUTBOX_ENTRY_MISSING: {
        "zh_CN": "审计记录第 {seq} 条的 {subject} 没有待上传记录（上传前被删除）",
        "en": "Audit row {seq}: {subject} has no outbox entry (deleted before upload)"},
    FindingId.OPERATOR_NOT_AUDITED: {
        "zh_CN": "操作员 {subject} 没有创建记录",
        "en": "Operator {subject} has no audit entry for its creation"},
    FindingId.AUDITED_OPERATOR_MISSING: {
        "zh_CN": "审计记录第 {seq} 条创建的操作员 {subject} 已不存在",
        "en": "Audit row {seq} created operator {subject}, who is no longer in the books"},
    FindingId.OPERATOR_DIFFERS: {
        "zh_CN": "操作员 {subject} 的权限或密码错误次数/锁定与审计记录不符",
        "en": "Operator {subject}: role, failed PIN attempts or lockout differ from the "
              "audit trail"},
    FindingId.PROFILE_DIFFERS: {
        "zh_CN": "商户设置（{subject}）与审计记录不符",
        "en": "The merchant settings ({subject}) differ from the audit trail"},
    FindingId.USAGE_TOTALS_DIFFER: {
        "zh_CN": "受益人 {subject} 的累计使用额与核销明细不符（累计表被改动）",
        "en": "The usage totals of {subject} differ from the draws (the totals were altered)"},
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One disagreement: ``seq`` the audit row concerned (if any), ``subject`` what."""

    id: FindingId
    seq: int | None = None
    subject: str = ""


def finding_message(finding: Finding, language: str = "zh_CN") -> str:
    text = pick(MESSAGES[finding.id], language)
    return text.replace("{seq}", str(finding.seq if finding.seq is not None else "?")) \
        .replace("{subject}", finding.subject)
