"""The limits this counter enforces: its own (``merchant_pos.domain.limits``) and the
server's, whichever is smaller, so nothing is recorded that the server would refuse.

The server's limits come with its config (``policies.limits``) and are kept in
the settings table; saving a change bumps the reference counter, so the
redemption service picks them up with the rest of the reference data.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from merchant_pos.domain.limits import LIMITS, Limits
from merchant_pos.domain.money import format_fen
from merchant_pos.domain.quote import CartLine
from merchant_pos.store.errors import LedgerError, LedgerErrorId
from merchant_pos.store.ledger import Ledger
from merchant_pos.store.models import SettingRow
from merchant_pos.store.reference import bump_reference_version

SERVER_LIMITS_KEY = "server.limits"


def limits_in(session: Session) -> Limits:
    """The limits in force: this build's, tightened by the server's last published ones."""
    raw = session.scalar(select(SettingRow.value).where(SettingRow.key == SERVER_LIMITS_KEY))
    if raw is None:
        return LIMITS
    try:
        published = Limits.from_json(json.loads(raw))
    except ValueError:
        published = None
    return LIMITS.tighter(published)


def effective_limits(ledger: Ledger) -> Limits:
    with ledger.read() as session:
        return limits_in(session)


def save_server_limits(ledger: Ledger, published: object) -> bool:
    """Keep the limits the server published (its config's ``policies.limits``); True
    if they changed. Malformed ones are ignored: this build's own limits still hold."""
    limits = Limits.from_json(published)
    if limits is None:
        return False
    value = json.dumps(limits.to_json(), sort_keys=True)
    with ledger.write() as session:
        row = session.get(SettingRow, SERVER_LIMITS_KEY)
        if row is not None and row.value == value:
            return False
        if row is None:
            session.add(SettingRow(key=SERVER_LIMITS_KEY, value=value))
        else:
            row.value = value
        bump_reference_version(session)
    return True


def check_cart_limits(lines: Sequence[CartLine], limits: Limits) -> None:
    """Refuse a cart the server would refuse (too many lines, too large an amount)."""
    if len(lines) > limits.cart_lines:
        raise LedgerError(LedgerErrorId.CART_TOO_LONG, f"{len(lines)} lines",
                          subject=str(limits.cart_lines))
    for line in lines:
        if len(line.cat) > limits.category_chars or line.qty > limits.line_qty:
            raise LedgerError(LedgerErrorId.BAD_CART, f"line {line!r} over the limits")
        if line.amount > limits.line_amount_fen:
            raise LedgerError(LedgerErrorId.CART_TOO_LARGE, f"line amount {line.amount}",
                              subject=format_fen(limits.line_amount_fen))
    total = sum(line.amount for line in lines)
    if total > limits.total_fen:
        raise LedgerError(LedgerErrorId.CART_TOO_LARGE, f"total {total}",
                          subject=format_fen(limits.total_fen))


def check_void_reason(reason: str, limits: Limits) -> None:
    if len(reason) > limits.void_reason_chars:
        raise LedgerError(LedgerErrorId.VOID_REASON_TOO_LONG, f"{len(reason)} characters",
                          subject=str(limits.void_reason_chars))
