"""What a receipt or a void slip says, as plain data (frozen into the print queue as JSON).

A reprint uses the content frozen when the receipt was first queued: what remained
on each entitlement *after this redemption*, not after later ones.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class ContentLine:
    name: str       # the category's name in the receipt's language
    qty: int
    amount: int     # fen
    covered: int    # fen


@dataclass(frozen=True, slots=True)
class Remaining:
    """What an entitlement still holds after this redemption."""

    name: str            # e.g. "奶粉、纸尿裤 每月"
    unit: str            # "fen" or "count"
    left: int            # fen or units
    until: str | None    # local date the entitlement ends, when it has an end


@dataclass(frozen=True, slots=True)
class ReceiptContent:
    kind: str                 # "receipt" or "void"
    language: str
    shop: str
    device: str               # the short device number ("01") or the device id
    receipt_no: str
    local_time: str           # "YYYY-MM-DD HH:MM" in the program's zone
    operator: str
    beneficiary: str          # masked name and masked id
    program: str
    lines: tuple[ContentLine, ...]
    total: int
    covered: int
    paid: int
    remaining: tuple[Remaining, ...] = ()
    earliest_expiry: str | None = None
    pending_upload: bool = True
    copy: bool = False
    void_reason: str | None = None
    void_time: str | None = None
    voided_receipt_time: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def as_copy(self) -> ReceiptContent:
        return replace(self, copy=True)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> ReceiptContent:
        data = dict(raw)
        data["lines"] = tuple(ContentLine(**x) for x in data.get("lines", ()))
        data["remaining"] = tuple(Remaining(**x) for x in data.get("remaining", ()))
        data["extra"] = dict(data.get("extra") or {})
        return cls(**data)


def mask_id(sub: str) -> str:
    """``B20260001234`` → ``B2******1234``: enough to tell people apart at the counter."""
    if len(sub) <= 6:
        return sub[:1] + "*" * max(0, len(sub) - 1)
    return sub[:2] + "*" * (len(sub) - 6) + sub[-4:]
