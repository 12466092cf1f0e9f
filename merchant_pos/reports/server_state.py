"""What the server said about a day, as last fetched, kept in the ledger's settings.

``reconcile.<YYYY-MM-DD>`` holds the server's items of that day (status, amounts,
the server's quote and reimbursable amount) and, when the day matched, the
fingerprint of the local entries it matched: a later change to any of them (a
verdict flipped by the outcome feed, a void) makes the day no longer reconciled.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from merchant_pos.store.ledger import Ledger
from merchant_pos.store.models import SettingRow

PREFIX = "reconcile."


@dataclass(frozen=True, slots=True)
class ServerItem:
    uuid: str
    receipt: str | None
    status: str
    reason: str | None
    total: int
    covered: int
    quote_covered: int | None
    reimbursable: int

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> ServerItem:
        return cls(str(raw["uuid"]), raw.get("receipt"), str(raw["status"]), raw.get("reason"),
                   int(raw["total"]), int(raw["covered"]),
                   None if raw.get("quote_covered") is None else int(raw["quote_covered"]),
                   int(raw["reimbursable"]))

    def to_json(self) -> dict[str, Any]:
        return {"uuid": self.uuid, "receipt": self.receipt, "status": self.status,
                "reason": self.reason, "total": self.total, "covered": self.covered,
                "quote_covered": self.quote_covered, "reimbursable": self.reimbursable}


@dataclass(frozen=True, slots=True)
class ServerSnapshot:
    day: date
    checked_at: int
    items: dict[str, ServerItem]
    matched_fingerprint: str | None  # set when the day reconciled


def fingerprint(rows: Iterable[tuple[str, str, int, int]]) -> str:
    """Of (id, status, total, covered) of the local entries of a day."""
    text = json.dumps(sorted(rows), separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def save_snapshot(ledger: Ledger, snapshot: ServerSnapshot) -> None:
    value = json.dumps({"checked_at": snapshot.checked_at,
                        "matched": snapshot.matched_fingerprint,
                        "items": [i.to_json() for i in snapshot.items.values()]},
                       ensure_ascii=False)
    key = PREFIX + snapshot.day.isoformat()
    with ledger.write() as session:
        row = session.get(SettingRow, key)
        if row is None:
            session.add(SettingRow(key=key, value=value))
        else:
            row.value = value


def load_snapshots(ledger: Ledger, days: Iterable[date]) -> dict[date, ServerSnapshot]:
    out = {}
    with ledger.read() as session:
        for day in sorted(set(days)):
            row = session.get(SettingRow, PREFIX + day.isoformat())
            if row is None:
                continue
            raw = json.loads(row.value)
            items = {i["uuid"]: ServerItem.from_json(i) for i in raw.get("items", [])}
            out[day] = ServerSnapshot(day, int(raw.get("checked_at", 0)), items,
                                      raw.get("matched"))
    return out
