"""Pure-Python heart of merchant-pos: BC1 verification, the quote, money, periods.

Nothing here imports Qt, SQLAlchemy, requests or OpenCV.
"""

from merchant_pos.domain.claims import Claims, Entitlement
from merchant_pos.domain.errors import CodeRejected, ErrorId
from merchant_pos.domain.quote import CartLine, LineQuote, Quote, UsageRecord, quote
from merchant_pos.domain.trust import RevocationList, TrustedKey, TrustList
from merchant_pos.domain.verify import VerifiedCode, verify

__all__ = [
    "CartLine",
    "Claims",
    "CodeRejected",
    "Entitlement",
    "ErrorId",
    "LineQuote",
    "Quote",
    "RevocationList",
    "TrustList",
    "TrustedKey",
    "UsageRecord",
    "VerifiedCode",
    "quote",
    "verify",
]
