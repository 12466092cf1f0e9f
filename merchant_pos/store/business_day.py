"""The business day of a moment: its calendar date in the program's time zone.

A void is allowed on the redemption's business day only. The day is the local
date in the zone of the redemption's program (as the config sync stored it),
falling back to the merchant profile's zone; never the UTC date, which near
local midnight and across a daylight-saving change is another day.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from merchant_pos.domain.claims import zone


def business_day(at: int, time_zone: str) -> date:
    return datetime.fromtimestamp(at, zone(time_zone)).date()


def program_zone(db: sqlite3.Connection, program_id: str, fallback: str) -> str:
    row = db.execute("SELECT time_zone FROM programs WHERE id = ?", (program_id,)).fetchone()
    return str(row[0]) if row and row[0] else fallback


def same_business_day(db: sqlite3.Connection, program_id: str, fallback_zone: str,
                      first: int, second: int) -> bool:
    tz = program_zone(db, program_id, fallback_zone)
    return business_day(first, tz) == business_day(second, tz)
