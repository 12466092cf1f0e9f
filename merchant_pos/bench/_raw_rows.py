"""The rows a push of bench redemptions stores, for the raw psycopg COPY baseline.

The same columns the server writes for an accepted redemption (its row, its
lines, its draws), computed up front so the baseline times only the insert.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

RAW_DEVICE = "00000000-0000-4000-8000-000000000000"
RAW_MERCHANT = "bench-canteen"

_REDEMPTION = ("uuid", "content_hash", "kind", "device_id", "merchant_id", "status", "iss",
               "sub", "program_id", "cti", "at", "day", "total", "covered", "quote_covered",
               "received_at", "body")
_LINE = ("redemption_uuid", "line_no", "cat", "amount", "qty", "covered")
_DRAW = ("rid", "iss", "sub", "ent", "amount", "units", "at", "unit", "lim", "per", "once",
         "tz", "voided")


def rows_of(batch: list[tuple[dict[str, Any], dict[str, Any]]]
            ) -> dict[str, tuple[str, list[tuple[Any, ...]]]]:
    """Table → (column list, rows) for one batch of (item, what the server learns from
    its code), parents first."""
    reds, lines, drws = [], [], []
    for item, meta in batch:
        body = json.dumps(item, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        reds.append((item["uuid"], hashlib.sha256(body.encode()).hexdigest(), "redemption",
                     RAW_DEVICE, RAW_MERCHANT, "accepted", meta["iss"], meta["sub"],
                     meta["prg"], meta["cti"], item["at"], meta["day"],
                     sum(x["amount"] for x in item["lines"]), item["covered"],
                     item["covered"], item["at"], body))
        for n, x in enumerate(item["lines"]):
            lines.append((item["uuid"], n, x["cat"], x["amount"], x["qty"], x["covered"]))
            for ent, fen in x["draws"].items():
                drws.append((item["uuid"], meta["iss"], meta["sub"], ent, fen,
                             x["units"].get(ent, 0), item["at"], meta["unit"][ent],
                             meta["lim"][ent], meta["per"][ent], meta["once"][ent], meta["tz"],
                             False))
    return {"redemptions": (", ".join(_REDEMPTION), reds),
            "redemption_lines": (", ".join(_LINE), lines),
            "draws": (", ".join(_DRAW), drws)}


def device_row_sql(now: int) -> str:
    """The one device the raw rows belong to (the foreign key wants it)."""
    return ("INSERT INTO devices (id, merchant_id, name, token_hash, created_at) VALUES "
            f"('{RAW_DEVICE}', '{RAW_MERCHANT}', 'raw', 'raw-{now}', {now})")
