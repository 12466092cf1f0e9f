"""Turning a frozen outbox payload into the server's push item, the same bytes every time.

The store freezes each outbox payload at insert (its own shape); the /v1
push takes ``RedemptionItem``/``VoidItem`` (``merchant_pos/resources/openapi.json``). This
mapping is a pure function of the frozen payload, so every retry of an
entry carries the same UUID and the same content (the server's duplicate
check compares a content hash).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_VOID_REASON = 200


class UnsendableEntry(ValueError):
    """An outbox payload that cannot be expressed as a push item."""


def _positive(mapping: Any) -> dict[str, int]:
    if not isinstance(mapping, Mapping):
        return {}
    return {str(k): int(v) for k, v in sorted(mapping.items())
            if isinstance(v, int) and not isinstance(v, bool) and v > 0}


def push_item(payload: Mapping[str, Any], device_seq: int | None = None) -> dict[str, Any]:
    """The push item for one outbox payload (redemption or void); ``device_seq`` is the
    entry's outbox sequence number (the server checks times do not decrease in it)."""
    kind = payload.get("type")
    try:
        if kind == "redemption":
            lines = []
            for line in payload["lines"]:
                out: dict[str, Any] = {"cat": line["cat"], "amount": line["amount"],
                                       "qty": line.get("qty", 1), "covered": line["covered"]}
                draws, units = _positive(line.get("draws")), _positive(line.get("units"))
                if draws:
                    out["draws"] = draws
                if units:
                    out["units"] = units
                if line.get("item"):
                    out["item"] = line["item"]
                lines.append(out)
            item: dict[str, Any] = {"type": "redemption", "uuid": payload["id"],
                                    "code": payload["code"], "at": payload["at"],
                                    "lines": lines, "covered": payload["covered"]}
            if payload.get("receipt_no"):
                item["receipt"] = payload["receipt_no"]
            if device_seq is not None:
                item["device_seq"] = device_seq
            return item
        if kind == "void":
            reason = str(payload.get("reason") or "")[:MAX_VOID_REASON]
            void: dict[str, Any] = {"type": "void", "uuid": payload["id"],
                                    "voids": payload["redemption_id"], "at": payload["at"]}
            if reason:
                void["reason"] = reason
            if device_seq is not None:
                void["device_seq"] = device_seq
            return void
    except (KeyError, TypeError) as exc:
        raise UnsendableEntry(f"outbox payload lacks {exc}") from None
    raise UnsendableEntry(f"unknown outbox entry type {kind!r}")
