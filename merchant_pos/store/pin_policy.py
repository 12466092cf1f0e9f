"""Which PINs a person may choose: at least 4 digits, and not a guessable pattern.

``0000``/``1111`` (one digit repeated), ``1234``/``4321``/``7890`` (a run up or
down, wrapping 9→0), ``1212``/``123123`` (a short block repeated) and a few
keypad patterns are refused when a PIN is set. A stored weak PIN (from before
the rule) still signs in, but the session says it must be changed.
"""

from __future__ import annotations

import itertools
import re

from merchant_pos.store.errors import LedgerError, LedgerErrorId

PIN_FORMAT = re.compile(r"^[0-9]{4,12}$")
KEYPAD_PATTERNS = frozenset({"2580", "0852", "1470", "3690", "1379", "1397", "7913",
                             "1590", "1122", "1100", "6969", "1004", "2000", "2001"})


def _is_run(pin: str, step: int) -> bool:
    return all((int(b) - int(a)) % 10 == step % 10 for a, b in itertools.pairwise(pin))


def is_weak_pin(pin: str) -> bool:
    """True for a PIN anyone would try first (the rule above)."""
    if len(set(pin)) == 1 or _is_run(pin, 1) or _is_run(pin, -1) or pin in KEYPAD_PATTERNS:
        return True
    for size in range(1, len(pin) // 2 + 1):
        if len(pin) % size == 0 and pin[:size] * (len(pin) // size) == pin:
            return True
    return False


def check_new_pin(pin: object) -> str:
    """A PIN someone is setting now: the format, then the strength; raises LedgerError."""
    if not isinstance(pin, str) or not PIN_FORMAT.match(pin):
        raise LedgerError(LedgerErrorId.BAD_PIN_FORMAT)
    if is_weak_pin(pin):
        raise LedgerError(LedgerErrorId.WEAK_PIN)
    return pin
