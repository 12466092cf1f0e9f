"""Redemption push: each item stored exactly once, judged against the whole ledger.

One transaction per batch. It first takes the ledger lock row of every
beneficiary the batch touches (in sorted order: no deadlocks), so
conflict detection is serialised per beneficiary across server processes;
then it finds which UUIDs are already stored, inserts the new items, re-quotes
the touched beneficiaries' histories in time order from their earliest change
(``ingest_judge``, ``requote``), updates the stored redemptions whose verdict,
``quote_covered`` or allocation changed, and appends the feed events last. The UUID's unique
constraint is the final word: a concurrent insert of the same UUID makes the
whole batch roll back and run again, when it sees the stored row.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select, text, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError, OperationalError

from merchant_pos.server import device_checks
from merchant_pos.server.api_errors import REJECTED_QUOTA, ApiError
from merchant_pos.server.api_models import RedemptionItem, VoidItem
from merchant_pos.server.auth import Device, ServerContext
from merchant_pos.server.database import BulkInsertConflict, bulk_insert, take_feed_seqs
from merchant_pos.server.device_links import Lineage, lineage
from merchant_pos.server.ingest_checks import (
    ALREADY_VOIDED,
    UUID_REUSED,
    UUID_TAKEN,
    VOID_TARGET_UNKNOWN,
    Checked,
    check_items,
    load_merchant_view,
    reason_message,
)
from merchant_pos.server.ingest_judge import (
    Judged,
    apply_stored,
    conflict_text,
    usage_event,
)
from merchant_pos.server.ingest_judge import draw_rows as allocation_rows
from merchant_pos.server.ingest_judge import judge as ingest_judge
from merchant_pos.server.schema import (
    draws,
    ledger_locks,
    outcome_events,
    redemption_lines,
    redemptions,
    usage_events,
)
from merchant_pos.server.sql_lists import in_list
from merchant_pos.server.trust_source import load_trust_list
from merchant_pos.server.usage_totals import Deltas

log = logging.getLogger(__name__)
ATTEMPTS = 5
MAX_REJECTED_PER_DEVICE = 1000  # rejected items stored per device; beyond: batch refused


@dataclass
class Stored:
    """A redemption or void row as the ledger holds it."""

    id: int | None
    uuid: str
    kind: str
    device_id: str
    merchant_id: str
    status: str
    reason: str | None
    conflict: str | None
    covered: int | None
    voided_by: str | None
    content_hash: str
    iss: str | None = None
    sub: str | None = None
    program_id: str | None = None
    at: int | None = None
    review: str | None = None


@dataclass
class _Batch:
    device: Device
    lineage: Lineage
    now: int
    checked: list[Checked]
    stored: dict[str, Stored] = field(default_factory=dict)  # by uuid, DB rows + new ones
    new: list[Checked] = field(default_factory=list)
    voided_now: dict[str, str] = field(default_factory=dict)  # target uuid → void uuid
    results: list[dict[str, Any]] = field(default_factory=list)


def push(ctx: ServerContext, device: Device, items: list[RedemptionItem | VoidItem]
         ) -> list[dict[str, Any]]:
    now = ctx.now()
    with ctx.engine.begin() as conn:  # issue 11: against the device's audit chain and clock
        received = device_checks.before_push(conn, device, items, now)
    with ctx.reader.connect() as conn:
        merchant = load_merchant_view(conn, device.merchant_id)
        devices_line = lineage(conn, device.id)
        trust = load_trust_list(conn)
        checked = check_items(conn, merchant, trust, items, now)
        device_checks.judge_at_received(conn, merchant, trust, checked, received, now)
        conn.rollback()
    for attempt in range(1, ATTEMPTS + 1):
        batch = _Batch(device, devices_line, now, checked)
        try:
            with ctx.engine.begin() as conn:
                _run(conn, batch)
            return batch.results
        except BulkInsertConflict as exc:
            if attempt == ATTEMPTS:
                raise
            log.info("push retried after a concurrent write (%s)", exc)
        except (IntegrityError, OperationalError) as exc:
            if attempt == ATTEMPTS or not _retryable(exc):
                raise
            log.info("push retried after a concurrent write (%s)", type(exc.orig).__name__)
    raise AssertionError("unreachable")


def _retryable(exc: IntegrityError | OperationalError) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return sqlstate in ("40001", "40P01")  # serialization failure, deadlock


def _run(conn: Connection, batch: _Batch) -> None:
    targets = _load_stored(conn, [c.item.voids for c in batch.checked
                                  if isinstance(c.item, VoidItem)])
    keys = {c.ledger_key for c in batch.checked if c.ledger_key is not None}
    keys |= {(t.iss, t.sub) for t in targets.values() if t.iss and t.sub}
    _lock(conn, sorted(keys))  # type: ignore[arg-type, unused-ignore]
    batch.stored = _load_stored(conn, [c.uuid for c in batch.checked])
    batch.stored.update(_load_stored(conn, list(targets)))
    _classify(batch)
    _check_rejected_quota(conn, batch)
    judged = _judge(conn, batch)
    totals = Deltas()  # every change to the draws below, counted into the usage totals
    _insert_new(conn, batch, judged, totals)
    events = _new_usage_events(batch, judged)
    events += _apply_voids(conn, batch, totals)
    more_draws, changed = apply_stored(conn, judged, totals)
    bulk_insert(conn, draws, more_draws)
    totals.count(more_draws)
    totals.flush(conn)
    _append_events(conn, events + changed)
    batch.results = [_result(batch, c) for c in batch.checked]


def _check_rejected_quota(conn: Connection, batch: _Batch) -> None:
    """Rejected items are stored (a replay gets the same answer), but not without bound."""
    adding = sum(1 for c in batch.new if c.reason is not None)
    if not adding:
        return
    r = redemptions.c
    stored = conn.scalar(select(func.count()).where(r.device_id == batch.device.id,
                                                    r.status == "rejected")) or 0
    if stored + adding > MAX_REJECTED_PER_DEVICE:
        raise ApiError(409, REJECTED_QUOTA, (
            f"This device already has {stored} rejected items stored (at most "
            f"{MAX_REJECTED_PER_DEVICE}); the batch was refused. Ask the foundation to "
            "review them."))


def _judge(conn: Connection, batch: _Batch) -> Judged:
    """Re-quote the touched beneficiaries from their earliest change (``ingest_judge``)."""
    new_valid = [c for c in batch.new if c.draws and c.reason is None]
    voided = []
    for target_uuid in batch.voided_now:
        t = batch.stored[target_uuid]
        if t.iss and t.sub and t.status != "rejected":
            assert t.at is not None
            voided.append((target_uuid, (t.iss, t.sub), t.at))
    judged = ingest_judge(conn, new_valid, voided)
    for c in new_valid:
        verdict = judged.new[c.uuid]
        s = batch.stored[c.uuid]
        s.status = verdict.status
        s.conflict = conflict_text(verdict.conflict)
        c.quote_covered = verdict.quote_covered
    return judged


def _lock(conn: Connection, keys: list[tuple[str, str]]) -> None:
    """Take the beneficiaries' ledger rows, in sorted order (no deadlock between batches)."""
    if not keys:
        return
    if conn.dialect.name == "postgresql":
        # One statement whatever the batch size; unnest keeps the sorted order.
        conn.execute(text(
            "INSERT INTO ledger_locks (iss, sub, version) "
            "SELECT iss, sub, 1 FROM unnest(CAST(:iss AS text[]), CAST(:sub AS text[])) "
            "AS k(iss, sub) ON CONFLICT (iss, sub) "
            "DO UPDATE SET version = ledger_locks.version + 1"),
            {"iss": [k[0] for k in keys], "sub": [k[1] for k in keys]})
        return
    stmt = sqlite.insert(ledger_locks).on_conflict_do_update(
        index_elements=["iss", "sub"], set_={"version": ledger_locks.c.version + 1})
    conn.execute(stmt, [{"iss": iss, "sub": sub, "version": 1} for iss, sub in keys])


def _load_stored(conn: Connection, uuids: list[str]) -> dict[str, Stored]:
    out: dict[str, Stored] = {}
    r = redemptions.c
    for i in range(0, len(uuids), 500):
        for row in conn.execute(select(
            r.id, r.uuid, r.kind, r.device_id, r.merchant_id, r.status, r.reason, r.conflict,
            r.covered, r.voided_by, r.content_hash, r.iss, r.sub, r.program_id, r.at, r.review,
        ).where(in_list(conn, r.uuid, uuids[i:i + 500]))):
            out[row.uuid] = Stored(
                row.id, row.uuid, row.kind, row.device_id, row.merchant_id, row.status,
                row.reason, row.conflict, row.covered if row.kind == "redemption" else None,
                row.voided_by, row.content_hash, row.iss, row.sub, row.program_id, row.at,
                row.review)
    return out


def _classify(batch: _Batch) -> None:
    """Which items are new; judge voids against their targets."""
    seen: set[str] = set()
    for c in batch.checked:
        if c.uuid in batch.stored or c.uuid in seen:
            continue
        seen.add(c.uuid)
        batch.new.append(c)
        if isinstance(c.item, VoidItem):
            c.reason = None  # judged afresh on every attempt (a retry may see more)
            target = batch.stored.get(c.item.voids)
            if (target is None or target.kind != "redemption"
                    or target.merchant_id != batch.device.merchant_id):
                c.reason = VOID_TARGET_UNKNOWN
            elif target.voided_by is not None or c.item.voids in batch.voided_now:
                c.reason = ALREADY_VOIDED
            else:
                batch.voided_now[c.item.voids] = c.uuid
                target.voided_by = c.uuid
        batch.stored[c.uuid] = _as_stored(c, batch.device)
        if not c.is_void:
            batch.stored[c.uuid].review = batch.lineage.review(c.item.at)


def _as_stored(c: Checked, device: Device) -> Stored:
    claims = c.claims if c.reason is None else None
    covered = c.item.covered if isinstance(c.item, RedemptionItem) else None
    return Stored(
        None, c.uuid, "void" if c.is_void else "redemption", device.id, device.merchant_id,
        "rejected" if c.reason else "accepted", c.reason, None, covered, None, c.content_hash,
        claims.iss if claims else None, claims.sub if claims else None,
        claims.prg if claims else (c.claims.prg if c.claims else None), c.item.at,
    )


def _insert_new(conn: Connection, batch: _Batch, judged: Judged, totals: Deltas) -> None:
    if not batch.new:
        return
    rows = []
    for c in batch.new:
        s = batch.stored[c.uuid]
        item = c.item
        total = sum(x.amount for x in item.lines) if isinstance(item, RedemptionItem) else 0
        rows.append({
            "uuid": c.uuid, "content_hash": c.content_hash, "kind": s.kind,
            "device_id": batch.device.id, "merchant_id": batch.device.merchant_id,
            "status": s.status, "reason": s.reason,
            "iss": c.claims.iss if c.claims else None,
            "sub": c.claims.sub if c.claims else None,
            "program_id": s.program_id, "cti": c.claims.cti.hex() if c.claims else None,
            "at": item.at, "day": c.day,
            "total": total,
            "covered": item.covered if isinstance(item, RedemptionItem) else 0,
            "quote_covered": c.quote_covered,
            "conflict": s.conflict,
            "voids_uuid": item.voids if isinstance(item, VoidItem) else None,
            "voided_by": batch.voided_now.get(c.uuid),
            "voided_at": batch.now if c.uuid in batch.voided_now else None,
            "received_at": batch.now, "body": c.body,
            "review": s.review,
        })
    bulk_insert(conn, redemptions, rows)  # no RETURNING: children key on the UUID
    line_rows, draw_rows = [], []
    for c in batch.new:
        if not isinstance(c.item, RedemptionItem):
            continue
        line_rows += [{"redemption_uuid": c.uuid, "line_no": n, "cat": x.cat, "amount": x.amount,
                       "qty": x.qty, "covered": x.covered} for n, x in enumerate(c.item.lines)]
        verdict = judged.new.get(c.uuid)
        if verdict is not None and c.claims is not None:
            draw_rows += allocation_rows(c.uuid, c.claims, verdict.allocation,
                                         voided=c.uuid in batch.voided_now)
    bulk_insert(conn, redemption_lines, line_rows)
    bulk_insert(conn, draws, draw_rows)
    totals.count(draw_rows)


def _apply_voids(conn: Connection, batch: _Batch, totals: Deltas) -> list[dict[str, Any]]:
    """Mark voided targets stored earlier; usage events saying their draws are gone."""
    events: list[dict[str, Any]] = []
    new_uuids = {c.uuid for c in batch.new}
    for target_uuid, void_uuid in batch.voided_now.items():
        target = batch.stored[target_uuid]
        target_draws = conn.execute(select(draws).where(draws.c.rid == target_uuid)).all()
        if target_uuid not in new_uuids:
            conn.execute(update(redemptions).where(redemptions.c.uuid == target_uuid)
                         .values(voided_by=void_uuid, voided_at=batch.now))
            conn.execute(update(draws).where(draws.c.rid == target_uuid).values(voided=True))
            totals.count((d._mapping for d in target_draws), -1)  # those counted until now
        for d in target_draws:
            events.append({"table": usage_events, "rid": target_uuid,
                           "device_id": target.device_id, "merchant_id": target.merchant_id,
                           "program_id": target.program_id or "", "iss": d.iss, "sub": d.sub,
                           "ent": d.ent, "amount": d.amount, "units": d.units, "at": d.at,
                           "voided": True})
        if target.device_id != batch.device.id:
            events.append(_outcome_event(target, voided=True))
    return events


def _new_usage_events(batch: _Batch, judged: Judged) -> list[dict[str, Any]]:
    """The server's allocation of each new valid redemption, for every device (its own
    included: it replaces the counter's draws there once accepted)."""
    events = []
    for c in batch.new:
        verdict = judged.new.get(c.uuid)
        if verdict is None or c.claims is None:
            continue
        events += [usage_event(u, c.claims, batch.device.id, batch.device.merchant_id,
                               voided=False) for u in verdict.allocation]
    return events


def _outcome_event(s: Stored, *, voided: bool) -> dict[str, Any]:
    return {"table": outcome_events, "device_id": s.device_id, "uuid": s.uuid,
            "status": s.status, "reason": s.reason, "conflict": s.conflict, "voided": voided}


def _append_events(conn: Connection, events: list[dict[str, Any]]) -> None:
    seqs = take_feed_seqs(conn, len(events))
    by_table: dict[Any, list[dict[str, Any]]] = {}
    for seq, ev in zip(seqs, events, strict=True):
        table = ev.pop("table")
        by_table.setdefault(table, []).append({"seq": seq, **ev})
    for table, rows in by_table.items():
        bulk_insert(conn, table, rows)


def _result(batch: _Batch, c: Checked) -> dict[str, Any]:
    s = batch.stored[c.uuid]
    first_time = any(x is c for x in batch.new)
    if not first_time and (s.content_hash != c.content_hash
                           or s.device_id not in batch.lineage.ids):
        # Another device's UUID is never confirmed, even with the same content (a clone).
        reason = UUID_REUSED if s.device_id in batch.lineage.ids else UUID_TAKEN
        return {"uuid": c.uuid, "status": "error", "outcome": None, "reason": reason,
                "message": reason_message(reason), "conflict": None, "covered": None,
                "voided": False, "review": None}
    return {
        "uuid": c.uuid,
        "status": s.status if first_time else "duplicate",
        "outcome": s.status,
        "reason": s.reason,
        "message": reason_message(s.reason) if s.reason else None,
        "conflict": json.loads(s.conflict) if s.conflict else None,
        "covered": s.covered,
        "voided": s.voided_by is not None,
        "review": s.review,
    }
