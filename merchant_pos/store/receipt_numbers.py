"""Receipt numbers: ``<device number>-<running number>``, e.g. ``03-000127``.

The device number is assigned by the server at enrollment (kept through a
re-enrollment of the same data folder, never reused); the running number is
this data folder's ``receipt`` counter. Together they are unique per merchant
and fit a 32-column roll. Before a device number is known (a ledger from
before issue 12) the old form ``<device id>-<running number>`` is kept; old
numbers stay in the data and searchable.
"""

from __future__ import annotations

import secrets
import sqlite3

INSTALL_ID = "device.install_id"      # random, made once per data folder
DEVICE_NUMBER = "device.number"       # from enrollment / config

_GET_SETTING = "SELECT value FROM settings WHERE key = ?"


def new_install_id() -> str:
    return secrets.token_urlsafe(24)


def format_receipt_no(device_number: int | None, device_id: str, running: int) -> str:
    if device_number is None:
        return f"{device_id}-{running:06d}"
    return f"{device_number:02d}-{running:06d}"


def device_number_in(db: sqlite3.Connection) -> int | None:
    """The stored device number (settings hold JSON), or None."""
    row = db.execute(_GET_SETTING, (DEVICE_NUMBER,)).fetchone()
    if row is None:
        return None
    text = str(row[0]).strip()
    return int(text) if text.isdigit() else None
