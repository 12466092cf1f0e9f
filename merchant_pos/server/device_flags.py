"""Flags raised on a device for review: its audit chain was rewritten, truncated or went
back, an item differs from its audit row, or its times are out of order.

A flag is raised once per (device, kind, ref): a retried push or a repeated
upload does not raise it again. Flags show in ``device list``, in the
settlement and on the counter (``GET /v1/device/flags``, the sync status).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Table, select
from sqlalchemy.dialects import postgresql, sqlite

from merchant_pos.server.schema import device_flags


class FlagKind(StrEnum):
    AUDIT_REWRITTEN = "audit_rewritten"      # an acknowledged row came back different
    AUDIT_TRUNCATED = "audit_truncated"      # the head went back: rows removed
    AUDIT_LINK_BROKEN = "audit_link_broken"  # uploaded rows do not chain
    AUDIT_ITEM_DIFFERS = "audit_item_differs"  # a redemption or void differs from its row
    AUDIT_ROW_MISSING = "audit_row_missing"  # an item whose audit row is not in the chain
    TIME_BACKWARDS = "time_backwards"        # earlier than an item before it in device order
    TIME_BEFORE_SYNC = "time_before_sync"    # recorded after a sync, dated before it
    TIME_IN_FUTURE = "time_in_future"        # dated after the time it was received


@dataclass(frozen=True, slots=True)
class Flag:
    device_id: str
    kind: str
    ref: str
    detail: dict[str, Any]
    raised_at: int


def insert_ignoring(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> int:
    """Insert the rows that are not there yet (by the table's unique keys); how many were.
    Two server processes recording the same thing at once both succeed."""
    if not rows:
        return 0
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    result = conn.execute(dialect.insert(table).on_conflict_do_nothing(), rows)
    return max(result.rowcount, 0)


def raise_flag(conn: Connection, *, device_id: str, merchant_id: str, kind: FlagKind,
               ref: str, detail: Mapping[str, Any], now: int) -> bool:
    """Record the flag unless it is already there; True when it is new."""
    return insert_ignoring(conn, device_flags, [{
        "device_id": device_id, "merchant_id": merchant_id, "kind": kind.value,
        "ref": ref[:64], "detail": json.dumps(dict(detail), sort_keys=True),
        "raised_at": now}]) == 1


def open_flags(conn: Connection, device_id: str | None = None,
               merchant_id: str | None = None) -> list[Flag]:
    """Flags not yet reviewed, oldest first."""
    c = device_flags.c
    stmt = select(c.device_id, c.kind, c.ref, c.detail, c.raised_at).where(
        c.reviewed_at.is_(None)).order_by(c.raised_at, c.id)
    if device_id is not None:
        stmt = stmt.where(c.device_id == device_id)
    if merchant_id is not None:
        stmt = stmt.where(c.merchant_id == merchant_id)
    return [Flag(r.device_id, r.kind, r.ref, json.loads(r.detail), r.raised_at)
            for r in conn.execute(stmt)]


def flag_summary(flags: list[Flag]) -> dict[str, dict[str, int]]:
    """device id → {kind: count}."""
    out: dict[str, dict[str, int]] = {}
    for flag in flags:
        kinds = out.setdefault(flag.device_id, {})
        kinds[flag.kind] = kinds.get(flag.kind, 0) + 1
    return out


def format_flags(flags: list[Flag]) -> str:
    """The admin's lines: one per flag, for ``device list`` and ``settlement``."""
    lines = [f"FLAGGED {f.device_id}  {f.kind:<20} {f.ref:<38} raised at {f.raised_at}"
             for f in flags]
    return "\n".join(lines)
