"""Redemption push: each item stored exactly once, judged against the whole ledger.

One transaction per batch. It first takes the ledger lock row of every
beneficiary the batch touches (in sorted order: no deadlocks), so
conflict detection is serialised per beneficiary across server processes;
then it finds which UUIDs are already stored, inserts the new items, replays
the touched beneficiaries' draws (see ``ledger_replay``), updates redemptions
whose status flipped, and appends the feed events last. The UUID's unique
constraint is the final word: a concurrent insert of the same UUID makes the
whole batch roll back and run again, when it sees the stored row.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select, text, tuple_, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError, OperationalError

from merchant_pos.domain.quote import CartLine, UsageRecord, quote
from merchant_pos.server import device_checks
from merchant_pos.server.api_models import RedemptionItem, VoidItem
from merchant_pos.server.auth import Device, ServerContext
from merchant_pos.server.database import BulkInsertConflict, bulk_insert, take_feed_seqs
from merchant_pos.server.ingest_checks import (
    ALREADY_VOIDED,
    UUID_REUSED,
    VOID_TARGET_UNKNOWN,
    Checked,
    check_items,
    load_merchant_view,
    reason_message,
)
from merchant_pos.server.ledger_replay import Draw, replay
from merchant_pos.server.schema import (
    draws,
    ledger_locks,
    outcome_events,
    redemption_lines,
    redemptions,
    usage_events,
)
from merchant_pos.server.trust_source import load_trust_list

log = logging.getLogger(__name__)
ATTEMPTS = 5


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


@dataclass
class _Batch:
    device: Device
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
        trust = load_trust_list(conn)
        checked = check_items(conn, merchant, trust, items, now)
        device_checks.judge_at_received(conn, merchant, trust, checked, received, now)
        conn.rollback()
    for attempt in range(1, ATTEMPTS + 1):
        batch = _Batch(device, now, checked)
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
    touched = {c.ledger_key for c in batch.new if c.ledger_key is not None and c.draws}
    for t in batch.voided_now:
        target = batch.stored[t]
        if target.iss and target.sub:
            touched.add((target.iss, target.sub))
    ledger = _load_ledger(conn, sorted(touched))  # type: ignore[arg-type, unused-ignore]
    flips = _judge(batch, ledger)
    _insert_new(conn, batch)
    events = _new_usage_events(batch)
    events += _apply_voids(conn, batch)
    events += _apply_flips(conn, flips)
    _append_events(conn, events)
    batch.results = [_result(batch, c) for c in batch.checked]


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
            r.covered, r.voided_by, r.content_hash, r.iss, r.sub, r.program_id,
        ).where(r.uuid.in_(uuids[i:i + 500]))):
            out[row.uuid] = Stored(
                row.id, row.uuid, row.kind, row.device_id, row.merchant_id, row.status,
                row.reason, row.conflict, row.covered if row.kind == "redemption" else None,
                row.voided_by, row.content_hash, row.iss, row.sub, row.program_id)
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


def _as_stored(c: Checked, device: Device) -> Stored:
    claims = c.claims if c.reason is None else None
    covered = c.item.covered if isinstance(c.item, RedemptionItem) else None
    return Stored(
        None, c.uuid, "void" if c.is_void else "redemption", device.id, device.merchant_id,
        "rejected" if c.reason else "accepted", c.reason, None, covered, None, c.content_hash,
        claims.iss if claims else None, claims.sub if claims else None,
        claims.prg if claims else (c.claims.prg if c.claims else None),
    )


def _insert_new(conn: Connection, batch: _Batch) -> None:
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
        })
    bulk_insert(conn, redemptions, rows)  # no RETURNING: children key on the UUID
    line_rows, draw_rows = [], []
    for c in batch.new:
        if not isinstance(c.item, RedemptionItem):
            continue
        line_rows += [{"redemption_uuid": c.uuid, "line_no": n, "cat": x.cat, "amount": x.amount,
                       "qty": x.qty, "covered": x.covered} for n, x in enumerate(c.item.lines)]
        if c.reason is None and c.claims is not None:
            draw_rows += [{
                "rid": d.rid, "iss": c.claims.iss, "sub": c.claims.sub,
                "ent": d.ent, "amount": d.amount, "units": d.units, "at": d.at, "unit": d.unit,
                "lim": d.lim, "per": d.per, "once": d.once, "tz": d.tz,
                "voided": c.uuid in batch.voided_now,
            } for d in c.draws]
    bulk_insert(conn, redemption_lines, line_rows)
    bulk_insert(conn, draws, draw_rows)


def _apply_voids(conn: Connection, batch: _Batch) -> list[dict[str, Any]]:
    """Mark voided targets stored earlier; usage events saying their draws are gone."""
    events: list[dict[str, Any]] = []
    new_uuids = {c.uuid for c in batch.new}
    for target_uuid, void_uuid in batch.voided_now.items():
        target = batch.stored[target_uuid]
        if target_uuid not in new_uuids:
            conn.execute(update(redemptions).where(redemptions.c.uuid == target_uuid)
                         .values(voided_by=void_uuid, voided_at=batch.now))
            conn.execute(update(draws).where(draws.c.rid == target_uuid).values(voided=True))
        for d in conn.execute(select(draws).where(draws.c.rid == target_uuid)):
            events.append({"table": usage_events, "rid": target_uuid,
                           "device_id": target.device_id, "merchant_id": target.merchant_id,
                           "program_id": target.program_id or "", "iss": d.iss, "sub": d.sub,
                           "ent": d.ent, "amount": d.amount, "units": d.units, "at": d.at,
                           "voided": True})
        if target.device_id != batch.device.id:
            events.append(_outcome_event(target, voided=True))
    return events


@dataclass
class _Ledger:
    draws: list[Draw]
    current: dict[str, tuple[str, str | None, str]]  # rid → status, conflict, device
    voided: set[str]


def _load_ledger(conn: Connection, keys: list[tuple[str, str]]) -> _Ledger:
    ledger = _Ledger([], {}, set())
    d, r = draws.c, redemptions.c
    for i in range(0, len(keys), 300):
        rows = conn.execute(
            select(d.rid, d.iss, d.sub, d.ent, d.amount, d.units, d.at, d.unit, d.lim, d.per,
                   d.once, d.tz, d.voided, r.status, r.conflict, r.device_id)
            .join(redemptions, r.uuid == d.rid)
            .where(tuple_(d.iss, d.sub).in_(keys[i:i + 300]))
        )
        for row in rows:
            ledger.draws.append(Draw(row.rid, row.iss, row.sub, row.ent, row.amount, row.units,
                                     row.at, row.unit, row.lim, row.per, bool(row.once),
                                     row.tz))
            ledger.current[row.rid] = (row.status, row.conflict, row.device_id)
            if row.voided:
                ledger.voided.add(row.rid)
    return ledger


def _judge(batch: _Batch, ledger: _Ledger) -> list[tuple[str, str, str | None, str]]:
    """Replay the touched beneficiaries: status of the new items, flips of stored ones."""
    new_valid = [c for c in batch.new if c.draws and c.reason is None]
    all_draws = ledger.draws + [d for c in new_valid for d in c.draws]
    voided = frozenset(ledger.voided | set(batch.voided_now))
    judged = replay(all_draws, not_counting=voided)
    by_beneficiary: dict[tuple[str, str], list[Draw]] = {}
    for d in all_draws:
        by_beneficiary.setdefault((d.iss, d.sub), []).append(d)
    for c in new_valid:
        exceeded = judged[c.uuid]
        s = batch.stored[c.uuid]
        s.status = "conflict" if exceeded else "accepted"
        s.conflict = json.dumps({"exceeded": exceeded}) if exceeded else None
        assert c.claims is not None
        c.quote_covered = _quote_covered(c, by_beneficiary[(c.claims.iss, c.claims.sub)],
                                         voided)
    flips = []
    for rid, (old_status, old_conflict, device_id) in ledger.current.items():
        if rid in voided:
            continue  # a voided redemption keeps the status it had
        exceeded = judged[rid]
        status = "conflict" if exceeded else "accepted"
        conflict = json.dumps({"exceeded": exceeded}) if exceeded else None
        if (status, conflict) != (old_status, old_conflict):
            flips.append((rid, status, conflict, device_id if status != old_status else ""))
    return flips


def _quote_covered(c: Checked, ledger: list[Draw], not_counting: frozenset[str]) -> int:
    """The server's own quote of the cart on the beneficiary's draws recorded before it."""
    item = c.item
    assert isinstance(item, RedemptionItem) and c.claims is not None
    order = (item.at, item.uuid)
    usage = [UsageRecord(d.ent, d.amount, d.units, d.at, d.rid) for d in ledger
             if (d.at, d.rid) < order and d.rid not in not_counting]
    cart = [CartLine(x.cat, x.amount, x.qty) for x in item.lines]
    return quote(c.claims, item.at, cart, usage).covered


def _apply_flips(conn: Connection, flips: list[tuple[str, str, str | None, str]]
                 ) -> list[dict[str, Any]]:
    events = []
    for rid, status, conflict, device_id in flips:
        conn.execute(update(redemptions).where(redemptions.c.uuid == rid)
                     .values(status=status, conflict=conflict))
        if device_id:  # the status changed: tell the device that made it
            events.append({"table": outcome_events, "device_id": device_id, "uuid": rid,
                           "status": status, "reason": None, "conflict": conflict,
                           "voided": False})
    return events


def _new_usage_events(batch: _Batch) -> list[dict[str, Any]]:
    events = []
    for c in batch.new:
        if c.reason is not None or c.claims is None:
            continue
        for d in c.draws:
            events.append({"table": usage_events, "rid": c.uuid, "device_id": batch.device.id,
                           "merchant_id": batch.device.merchant_id, "program_id": c.claims.prg,
                           "iss": c.claims.iss, "sub": c.claims.sub, "ent": d.ent,
                           "amount": d.amount, "units": d.units, "at": d.at,
                           "voided": False})
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
    if not first_time and s.content_hash != c.content_hash:
        return {"uuid": c.uuid, "status": "error", "outcome": None, "reason": UUID_REUSED,
                "message": reason_message(UUID_REUSED), "conflict": None, "covered": None,
                "voided": False}
    return {
        "uuid": c.uuid,
        "status": s.status if first_time else "duplicate",
        "outcome": s.status,
        "reason": s.reason,
        "message": reason_message(s.reason) if s.reason else None,
        "conflict": json.loads(s.conflict) if s.conflict else None,
        "covered": s.covered,
        "voided": s.voided_by is not None,
    }
