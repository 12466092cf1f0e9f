"""The rejection reasons of BC1 verification, with the clerk's messages."""

from __future__ import annotations

import logging
from enum import StrEnum

from merchant_pos.domain.i18n import pick

log = logging.getLogger(__name__)


class ErrorId(StrEnum):
    """Stable error ids of the BC1 contract (spec section 4)."""

    UNSUPPORTED_FORMAT = "unsupported_format"
    TOO_LARGE = "too_large"
    MALFORMED = "malformed"
    UNSUPPORTED_ALG = "unsupported_alg"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"
    ISSUER_MISMATCH = "issuer_mismatch"
    KEY_NOT_VALID = "key_not_valid"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    REVOKED = "revoked"
    WRONG_PROGRAM = "wrong_program"


# What the clerk reads. Short, plain, and says what to do where there is
# something to do. zh_CN is the first language of the counter.
MESSAGES: dict[ErrorId, dict[str, str]] = {
    ErrorId.UNSUPPORTED_FORMAT: {
        "zh_CN": "这不是受助码，请让顾客打开受助码页面",
        "en": "This is not a beneficiary code; ask the customer to open the beneficiary code page",
    },
    ErrorId.TOO_LARGE: {
        "zh_CN": "此码内容过大，无法识别",
        "en": "This code is too large to be a beneficiary code",
    },
    ErrorId.MALFORMED: {
        "zh_CN": "此码已损坏或不完整，请重新扫描",
        "en": "This code is damaged or incomplete; please scan again",
    },
    ErrorId.UNSUPPORTED_ALG: {
        "zh_CN": "此码的签名方式不受支持",
        "en": "This code is signed in a way this POS does not support",
    },
    ErrorId.UNKNOWN_KEY: {
        "zh_CN": "无法识别此码的签发机构，请联网同步后重试",
        "en": "The issuer of this code is not known; sync and try again",
    },
    ErrorId.BAD_SIGNATURE: {
        "zh_CN": "此码签名无效，可能被篡改",
        "en": "This code's signature is invalid; it may have been tampered with",
    },
    ErrorId.ISSUER_MISMATCH: {
        "zh_CN": "此码的签发机构与签名密钥不符",
        "en": "This code's issuer does not match its signing key",
    },
    ErrorId.KEY_NOT_VALID: {
        "zh_CN": "此码签发时签名密钥不在有效期内",
        "en": "This code was signed with a key outside its validity period",
    },
    ErrorId.EXPIRED: {
        "zh_CN": "此码已过期",
        "en": "This code has expired",
    },
    ErrorId.NOT_YET_VALID: {
        "zh_CN": "此码尚未生效，请检查本机时间",
        "en": "This code is not valid yet; check this computer's clock",
    },
    ErrorId.REVOKED: {
        "zh_CN": "此码已被撤销，不能使用",
        "en": "This code has been revoked and cannot be used",
    },
    ErrorId.WRONG_PROGRAM: {
        "zh_CN": "本店不参与此码所属的救助项目",
        "en": "This shop does not take part in this code's aid program",
    },
}


def message(error: ErrorId, language: str = "zh_CN") -> str:
    """The clerk's message for an error, in ``language`` (zh_CN or en)."""
    return pick(MESSAGES[error], language)


class CodeRejected(Exception):
    """A code failed verification. ``error`` is the contract's error id."""

    def __init__(self, error: ErrorId, detail: str = "") -> None:
        super().__init__(f"{error.value}: {detail}" if detail else error.value)
        self.error = error
        self.detail = detail
        log.info("code rejected: %s", error.value)  # the id only: details may quote the code

    def message(self, language: str = "zh_CN") -> str:
        return message(self.error, language)
