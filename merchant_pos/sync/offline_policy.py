"""The offline risk policy now lives in the ledger (:mod:`merchant_pos.store.redeem_limits`),
which enforces it inside ``redeem``; these names stay importable from here."""

from __future__ import annotations

from merchant_pos.store.redeem_limits import (
    HOUR,
    OfflinePolicy,
    PolicyFinding,
    check_freshness,
    check_redemption,
)

__all__ = ["HOUR", "OfflinePolicy", "PolicyFinding", "check_freshness", "check_redemption"]
