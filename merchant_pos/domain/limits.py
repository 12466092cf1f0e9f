"""Every bound the server enforces on what a counter sends, in one place.

The server's request models (``merchant_pos.server.api_models``) are built from
these numbers, the server publishes them in ``GET /v1/config`` (``policies.limits``),
and the counter's ledger refuses up front what the server would refuse, using
the smaller of its own limit and the server's (:meth:`Limits.tighter`). So a
redemption the counter records can always be uploaded.

One exception, on purpose: ledgers before this module recorded carts of up to
200 lines (``LEGACY_CART_LINES``). New carts are held to ``cart_lines`` (100),
but the server's push keeps taking up to 200 lines so that what such a
ledger already holds (goods handed over) still reaches the foundation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

CODE_CHARS = 2000
"""A BC1 code as text (the spec, ``beneficiary-code.md``: at most 2,000 characters)."""
LEGACY_CART_LINES = 200
"""What ledgers before the shared limits accepted; the server's push still takes it."""


@dataclass(frozen=True, slots=True)
class Limits:
    """The bounds of one redemption, void and push, as the server checks them."""

    cart_lines: int = 100            # lines in a new cart
    code_chars: int = CODE_CHARS     # a BC1 code as text
    line_amount_fen: int = 10**12    # one line's amount
    line_qty: int = 10**6            # one line's quantity
    total_fen: int = 10**12          # a redemption's total and covered amount
    category_chars: int = 64         # a category id
    entitlement_chars: int = 32      # an entitlement id
    entitlements_per_line: int = 32  # draws (or units) per line
    item_chars: int = 64             # a standard item id
    receipt_chars: int = 64          # a receipt number
    void_reason_chars: int = 200     # the reason given for a void
    device_name_chars: int = 64      # the label of a device at enrollment
    push_items: int = 500            # items in one push
    page_items: int = 1000           # items in one delta page

    def to_json(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: Any) -> Limits | None:
        """The limits a server published, or None when there are none or they are
        malformed. Unknown keys are ignored (a newer server), missing keys keep
        this build's value."""
        if not isinstance(raw, Mapping):
            return None
        known = {f.name for f in fields(cls)}
        values: dict[str, int] = {}
        for key, value in raw.items():
            if key not in known:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                return None
            values[key] = value
        return cls(**values)

    def tighter(self, other: Limits | None) -> Limits:
        """Each bound the smaller of this one's and ``other``'s."""
        if other is None:
            return self
        return Limits(**{f.name: min(getattr(self, f.name), getattr(other, f.name))
                         for f in fields(self)})


LIMITS = Limits()
"""This build's limits: what its server enforces and its counter starts from."""
