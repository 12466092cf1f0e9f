"""Short device numbers per merchant, handed out at enrollment (receipt numbers ``03-000127``).

A data folder sends its install id (a random secret it keeps) when it
enrolls. The same merchant seeing the same install id again (a re-enrollment
of that folder, e.g. after a revoked token) gives back the same number, so
the folder's running receipt numbers stay unique. Numbers are never reused:
rows are never deleted, and a new install id takes the merchant's highest + 1
under a lock on the merchant's row.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection, func, select, update

from merchant_pos.server.schema import device_numbers, devices, merchants


def install_hash(merchant_id: str, install_id: str) -> str:
    return hashlib.sha256(f"{merchant_id}\x00{install_id}".encode()).hexdigest()


def assign_device_number(conn: Connection, *, merchant_id: str, device_id: str,
                         install_id: str | None, now: int) -> int:
    """The number for ``device_id`` (already inserted), in the enrollment's transaction."""
    # Serialise number allocation per merchant (PostgreSQL row lock; SQLite writes are
    # serial already).
    conn.execute(select(merchants.c.id).where(merchants.c.id == merchant_id).with_for_update())
    d = device_numbers.c
    hashed = install_hash(merchant_id, install_id) if install_id else f"device:{device_id}"
    number = conn.scalar(select(d.number).where(d.merchant_id == merchant_id,
                                                d.install_hash == hashed))
    if number is None:
        number = int(conn.scalar(select(func.coalesce(func.max(d.number), 0))
                                 .where(d.merchant_id == merchant_id)) or 0) + 1
        conn.execute(device_numbers.insert().values(
            merchant_id=merchant_id, number=number, install_hash=hashed, created_at=now))
    conn.execute(update(devices).where(devices.c.id == device_id).values(number=number))
    return int(number)


def device_number(conn: Connection, device_id: str) -> int | None:
    value = conn.scalar(select(devices.c.number).where(devices.c.id == device_id))
    return None if value is None else int(value)
