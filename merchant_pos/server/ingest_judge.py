"""The ledger side of fair judging: load what a batch changes of each beneficiary's
history, re-quote it in time order (``requote``) and store what changed.

For each touched beneficiary the re-run starts at the earliest change (a new
redemption, or one voided now): everything before it keeps its stored
allocation, which is loaded as the usage the first re-quoted entry sees (as far
back as the quote can see it: ``ledger_history``, for the whole batch at once). A
stored redemption whose verdict, ``quote_covered`` or allocation changes is
updated in place; a status change is told to the device that made it (the
outcome feed), an allocation change to every device (the usage feed: the old
draws withdrawn, ``voided: true``, then the new ones).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, delete, update

from merchant_pos.domain.claims import Claims
from merchant_pos.domain.quote import CartLine, UsageRecord
from merchant_pos.server.api_models import RedemptionItem
from merchant_pos.server.history_totals import totals_in_conflict
from merchant_pos.server.ingest_checks import Checked
from merchant_pos.server.ledger_history import Judged, Key, load_histories, read_before
from merchant_pos.server.requote import Entry, judge_history
from merchant_pos.server.schema import draws, outcome_events, redemptions, usage_events
from merchant_pos.server.usage_totals import Deltas

__all__ = ["Judged", "apply_stored", "conflict_text", "draw_rows", "judge", "usage_event"]


def conflict_text(conflict: dict[str, Any] | None) -> str | None:
    return json.dumps(conflict, sort_keys=True) if conflict is not None else None


def new_entry(c: Checked, voided: bool) -> Entry:
    item = c.item
    assert isinstance(item, RedemptionItem) and c.claims is not None
    return Entry(
        item.uuid, item.at, c.claims,
        tuple(CartLine(x.cat, x.amount, x.qty) for x in item.lines),
        tuple(x.covered for x in item.lines),
        {d.ent: (d.amount, d.units) for d in c.draws}, voided=voided)


def judge(conn: Connection, new: list[Checked], voided_now: Iterable[tuple[str, Key, int]]
          ) -> Judged:
    """``new``: valid new redemptions; ``voided_now``: (uuid, beneficiary, at) of the
    stored or new redemptions voided by this batch."""
    voided = {rid for rid, _, _ in voided_now}
    start: dict[Key, tuple[int, str]] = {}
    entries: dict[Key, list[Entry]] = defaultdict(list)
    out = Judged()
    for c in new:
        assert c.ledger_key is not None and c.claims is not None
        entries[c.ledger_key].append(new_entry(c, c.uuid in voided))
        out.claims[c.uuid] = c.claims
        _earliest(start, c.ledger_key, (c.item.at, c.uuid))
    for rid, key, at in voided_now:
        _earliest(start, key, (at, rid))
    new_ids = {c.uuid for c in new}
    before = load_histories(conn, start, voided, new_ids, entries, out)
    verdicts = {key: judge_history(entries[key], before[key]) for key in sorted(start)}
    redo = [key for key, v in verdicts.items() if totals_in_conflict(v)]
    if redo:  # a conflict names the earlier redemptions of its period: read their draws
        before = read_before(conn, redo, start, voided, entries, out, totals=False)
        verdicts.update((key, judge_history(entries[key], before[key])) for key in redo)
    for v in verdicts.values():
        for rid, verdict in v.items():
            (out.new if rid in new_ids else out.stored)[rid] = verdict
    return out


def _earliest(start: dict[Key, tuple[int, str]], key: Key, order: tuple[int, str]) -> None:
    if key not in start or order < start[key]:
        start[key] = order


def draw_rows(rid: str, claims: Claims, allocation: Iterable[UsageRecord], *, voided: bool
              ) -> list[dict[str, Any]]:
    """Rows of the ``draws`` table for the server's allocation of one redemption."""
    ents = {e.id: e for e in claims.ent}
    return [{"rid": rid, "iss": claims.iss, "sub": claims.sub, "ent": u.ent,
             "amount": u.amount, "units": u.units, "at": u.at,
             "unit": ents[u.ent].unit.value, "lim": ents[u.ent].lim,
             "per": ents[u.ent].per.value, "once": ents[u.ent].once, "tz": claims.tz,
             "voided": voided} for u in allocation]


def usage_event(u: UsageRecord, claims: Claims, device_id: str, merchant_id: str,
                *, voided: bool) -> dict[str, Any]:
    return {"table": usage_events, "rid": u.rid, "device_id": device_id,
            "merchant_id": merchant_id, "program_id": claims.prg, "iss": claims.iss,
            "sub": claims.sub, "ent": u.ent, "amount": u.amount, "units": u.units,
            "at": u.at, "voided": voided}


def apply_stored(conn: Connection, judged: Judged, totals: Deltas
                 ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Write the changed verdicts of stored redemptions; (draw rows to insert, events).
    The draws deleted are withdrawn from ``totals``; the caller counts those it inserts."""
    events: list[dict[str, Any]] = []
    new_draws: list[dict[str, Any]] = []
    for rid, verdict in judged.stored.items():
        row = judged.rows[rid]
        conflict = conflict_text(verdict.conflict)
        changes: dict[str, Any] = {}
        if (verdict.status, conflict) != (row.status, row.conflict):
            changes.update(status=verdict.status, conflict=conflict)
        if verdict.quote_covered != row.quote_covered:
            changes["quote_covered"] = verdict.quote_covered
        if changes:
            conn.execute(update(redemptions).where(redemptions.c.uuid == rid).values(**changes))
        if verdict.status != row.status:  # tell the device that made it
            events.append({"table": outcome_events, "device_id": row.device_id, "uuid": rid,
                           "status": verdict.status, "reason": None, "conflict": conflict,
                           "voided": False})
        if verdict.allocation != row.allocation:
            claims = judged.claims[rid]
            conn.execute(delete(draws).where(draws.c.rid == rid))
            totals.count(draw_rows(rid, claims, row.allocation, voided=False), -1)
            new_draws += draw_rows(rid, claims, verdict.allocation, voided=False)
            events += [usage_event(u, claims, row.device_id, row.merchant_id, voided=True)
                       for u in row.allocation]
            events += [usage_event(u, claims, row.device_id, row.merchant_id, voided=False)
                       for u in verdict.allocation]
    return new_draws, events
