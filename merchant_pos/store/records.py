"""Finding recorded redemptions for the records screen: by business day, by receipt
number (new short ones, old 43-character ones, any part of either) or beneficiary id."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from merchant_pos.store.ledger import Ledger
from merchant_pos.store.redemptions import _SELECT_COLUMNS, Receipt, _receipt


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def find_receipts(ledger: Ledger, *, day: date | None = None, time_zone: str = "Asia/Shanghai",
                  text: str = "", limit: int = 500) -> list[Receipt]:
    """Newest first. ``day``: that local day only; ``text``: part of a receipt number,
    a redemption id or a beneficiary id (case-insensitive)."""
    where: list[str] = []
    params: list[int | str] = []
    if day is not None:
        tz = ZoneInfo(time_zone)
        start = datetime(day.year, day.month, day.day, tzinfo=tz)
        nxt = day + timedelta(days=1)
        end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz)
        where.append("created_at >= ? AND created_at < ?")
        params += [int(start.timestamp()), int(end.timestamp())]
    text = text.strip()
    if text:
        where.append("(receipt_no LIKE ? ESCAPE '\\' OR sub LIKE ? ESCAPE '\\'"
                     " OR id LIKE ? ESCAPE '\\')")
        params += [_like(text)] * 3
    sql = _SELECT_COLUMNS + (" WHERE " + " AND ".join(where) if where else "") + \
        " ORDER BY created_at DESC, rowid DESC LIMIT ?"
    with ledger.read_raw() as db:
        rows = db.execute(sql, (*params, max(1, min(limit, 5000)))).fetchall()
        return [_receipt(db, r, already=True) for r in rows]
