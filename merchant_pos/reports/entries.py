"""A business day's redemptions from the ledger, one entry each, days assigned as the server
assigns them: the local date of the redemption in its program's time zone."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from merchant_pos.store.ledger import Ledger

STUCK_ATTEMPTS = 5  # a redemption this many pushes old without an answer is stuck
CLOCK_SLACK = 60    # seconds a later receipt may be stamped before an earlier one
TIME_REASONS = frozenset({"redeemed_in_future", "clock_skew", "time_flagged", "clock_rewound"})
STATUSES = ("pending", "stuck", "accepted", "conflict", "rejected", "voided")

_ROWS = """
SELECT r.id, r.receipt_no, r.prg, COALESCE(o.name, CAST(r.operator_id AS TEXT)), r.created_at,
       r.total, r.covered, r.pays, r.status, r.server_reason, r.voided_at,
       b.status, COALESCE(b.attempts, 0),
       EXISTS (SELECT 1 FROM redemptions AS p
                WHERE p.rowid < r.rowid AND p.created_at > r.created_at + :slack)
  FROM redemptions AS r
  LEFT JOIN operators AS o ON o.id = r.operator_id
  LEFT JOIN outbox AS b ON b.entry_id = r.id
 WHERE r.created_at >= :lo AND r.created_at < :hi
 ORDER BY r.created_at, r.rowid
"""
_VOIDS = """
SELECT v.created_at, r.id, r.receipt_no, r.prg, r.created_at, r.covered, r.pays
  FROM voids AS v JOIN redemptions AS r ON r.id = v.redemption_id
 WHERE v.created_at >= :lo AND v.created_at < :hi
"""


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    receipt_no: str
    day: date
    at: int
    local_time: str
    program: str
    operator: str
    status: str            # one of STATUSES
    total: int
    covered: int
    paid: int
    reason: str | None
    time_flag: str | None  # why the time is doubtful, or None
    lines: tuple[tuple[str, int, int], ...]  # (category, amount, covered)


@dataclass(frozen=True, slots=True)
class Adjustment:
    """A void made on this day of a redemption of an earlier day."""

    day: date
    receipt_no: str
    redemption_id: str
    original_day: date
    program: str
    covered: int
    paid: int


@dataclass(frozen=True, slots=True)
class DayEntries:
    first: date
    last: date
    entries: tuple[Entry, ...]
    adjustments: tuple[Adjustment, ...]
    program_names: dict[str, str] = field(default_factory=dict)
    category_names: dict[str, str] = field(default_factory=dict)
    shop: str = ""
    device: str = ""


def _zones(db: sqlite3.Connection) -> tuple[dict[str, ZoneInfo], ZoneInfo]:
    profile = db.execute("SELECT time_zone FROM merchant_profile WHERE id = 1").fetchone()
    fallback = ZoneInfo(profile[0] if profile else "Asia/Shanghai")
    zones = {prg: ZoneInfo(tz) for prg, tz in db.execute("SELECT id, time_zone FROM programs")}
    return zones, fallback


def _names(db: sqlite3.Connection, language: str) -> tuple[dict[str, str], dict[str, str]]:
    zh = not language.startswith("en")
    programs, cats = {}, {}
    for prg, name_zh, name_en, cats_json in db.execute(
            "SELECT id, name_zh, name_en, categories_json FROM programs"):
        programs[prg] = (name_zh if zh else name_en) or prg
        for c in json.loads(cats_json):
            cats[c["code"]] = (c["name_zh"] if zh else c["name_en"]) or c["code"]
    return programs, cats


def _status(status: str, outbox_status: str | None, attempts: int) -> str:
    if status == "pending" and ((outbox_status not in (None, "pending"))
                                or attempts >= STUCK_ATTEMPTS):
        return "stuck"
    return status


def day_entries(ledger: Ledger, first: date, last: date | None = None,
                language: str = "zh_CN") -> DayEntries:
    """Every redemption of the business days ``first``..``last`` (inclusive) and the voids
    made on those days of redemptions of earlier days."""
    last = last or first
    # Wide enough for any zone (UTC-12..UTC+14); each row is then placed by its own zone.
    lo = int(datetime(first.year, first.month, first.day).timestamp()) - 2 * 86_400
    hi = int(datetime(last.year, last.month, last.day).timestamp()) + 3 * 86_400
    with ledger.read_raw() as db:
        zones, fallback = _zones(db)
        programs, cats = _names(db, language)
        lines: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
        rows = db.execute(_ROWS, {"lo": lo, "hi": hi, "slack": CLOCK_SLACK}).fetchall()
        ids = [r[0] for r in rows]
        for chunk in range(0, len(ids), 500):
            part = ids[chunk:chunk + 500]
            marks = ",".join("?" * len(part))
            for rid, cat, amount, covered in db.execute(
                    f"SELECT redemption_id, cat, amount, covered FROM redemption_lines "
                    f"WHERE redemption_id IN ({marks}) ORDER BY redemption_id, line_no", part):
                lines[rid].append((cat, amount, covered))
        voids = db.execute(_VOIDS, {"lo": lo, "hi": hi}).fetchall()
        shop = db.execute("SELECT merchant_name, device_id FROM merchant_profile").fetchone()
        number = db.execute("SELECT value FROM settings WHERE key = 'device.number'").fetchone()
    entries = []
    for (rid, receipt_no, prg, operator, at, total, covered, pays, status, reason, _voided_at,
         outbox_status, attempts, clock_back) in rows:
        tz = zones.get(prg, fallback)
        local = datetime.fromtimestamp(at, tz)
        if not first <= local.date() <= last:
            continue
        flag = ("clock_went_back" if clock_back else
                reason if reason in TIME_REASONS else None)
        entries.append(Entry(rid, receipt_no, local.date(), at, local.strftime("%Y-%m-%d %H:%M"),
                             prg, operator, _status(status, outbox_status, attempts), total,
                             covered, pays, reason, flag, tuple(lines[rid])))
    adjustments = []
    for void_at, rid, receipt_no, prg, at, covered, pays in voids:
        tz = zones.get(prg, fallback)
        void_day = datetime.fromtimestamp(void_at, tz).date()
        original = datetime.fromtimestamp(at, tz).date()
        if first <= void_day <= last and original < first:  # else counted as voided
            adjustments.append(Adjustment(void_day, receipt_no, rid, original, prg, covered,
                                          pays))
    device = ""
    if number is not None and str(number[0]).isdigit():
        device = f"{int(number[0]):02d}"
    elif shop is not None:
        device = shop[1]
    return DayEntries(first, last, tuple(entries), tuple(adjustments), programs, cats,
                      shop[0] if shop else "", device)


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
