"""``merchant-pos self-test``: does this installation work? One line per check.

The checks are Qt-free here (:mod:`merchant_pos.selftest.checks`) except the
two that need Qt, which live in :mod:`merchant_pos.ui.self_check`. A check is a
callable returning a short detail; an exception is its failure.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from merchant_pos.domain.i18n import pick

log = logging.getLogger(__name__)


class SelfCheck(StrEnum):
    QT = "qt"
    TRANSLATIONS = "translations"
    LEDGER = "ledger"
    DECODE = "decode"
    VERIFY = "verify"
    CAMERAS = "cameras"


TITLES: dict[SelfCheck, dict[str, str]] = {
    SelfCheck.QT: {"zh_CN": "Qt 界面库启动", "en": "Qt starts"},
    SelfCheck.TRANSLATIONS: {"zh_CN": "中文界面翻译加载", "en": "Chinese translations load"},
    SelfCheck.LEDGER: {"zh_CN": "账本创建并升级（临时文件夹）",
                       "en": "A ledger opens and migrates (temporary folder)"},
    SelfCheck.DECODE: {"zh_CN": "内置二维码图片识别", "en": "The bundled QR image decodes"},
    SelfCheck.VERIFY: {"zh_CN": "内置受助码验证并报价",
                       "en": "The bundled code verifies and quotes"},
    SelfCheck.CAMERAS: {"zh_CN": "摄像头列举", "en": "Cameras enumerate"},
}
SUMMARY = {
    True: {"zh_CN": "自检通过", "en": "Self-test passed"},
    False: {"zh_CN": "自检失败", "en": "Self-test FAILED"},
}

Check = Callable[[], str]


class CheckFailed(Exception):
    """A check's clear failure (its message is the detail shown)."""


@dataclass(frozen=True, slots=True)
class CheckResult:
    check: SelfCheck
    ok: bool
    detail: str

    def line(self, language: str) -> str:
        mark = "✓" if self.ok else "✗"
        return f"{mark} {pick(TITLES[self.check], language)}: {self.detail}"


def run_checks(checks: Sequence[tuple[SelfCheck, Check]]) -> list[CheckResult]:
    """Run every check (a failure does not stop the others)."""
    results = []
    for which, check in checks:
        try:
            results.append(CheckResult(which, True, check()))
        except Exception as exc:  # a self-test reports every failure, whatever it is
            log.exception("self-test check %s failed", which.value)
            results.append(CheckResult(which, False, f"{type(exc).__name__}: {exc}"))
    return results


def summary(results: Sequence[CheckResult], language: str) -> str:
    ok = all(r.ok for r in results)
    return f"{pick(SUMMARY[ok], language)} ({sum(r.ok for r in results)}/{len(results)})"
