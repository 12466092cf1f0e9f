"""Anchoring each device's audit chain at the server.

At every sync the device asks for the head the server last acknowledged and
sends (seq, previous hash, hash, and for a redemption or void the item it
records) of every audit row from that head on, the acknowledged row itself
included. The server checks that the rows chain, that the new chain extends
the acknowledged one (the acknowledged row comes back unchanged) and that the
head does not go back; it keeps every row and every acknowledged head.

On a rewrite, a truncation or a broken link the device is flagged
(:mod:`merchant_pos.server.device_flags`) and the new chain becomes the
baseline from the first row that differs (the old hashes stay in the flag and
in the heads' history), so one tamper raises one flag, not one per sync.

The server cannot recompute a link (the chain is keyed with the device's own
secret); what it holds is the past: a row it has acknowledged cannot change
without the device being flagged.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, delete, select, update

from merchant_pos.server.auth import Device
from merchant_pos.server.device_flags import FlagKind, raise_flag
from merchant_pos.server.schema import device_audit_heads, device_audit_rows, devices

GENESIS_HASH = "00" * 32


@dataclass(frozen=True, slots=True)
class UploadedRow:
    seq: int
    prev: str
    hash: str
    kind: str
    ref: str | None = None
    covered: int | None = None
    voids: str | None = None


@dataclass(frozen=True, slots=True)
class AckedHead:
    seq: int
    hash: str
    at: int
    received_at: int


@dataclass
class AnchorResult:
    head: AckedHead
    raised: list[str] = field(default_factory=list)
    new_rows: list[UploadedRow] = field(default_factory=list)


def acknowledged_head(conn: Connection, device_id: str) -> AckedHead | None:
    h = device_audit_heads.c
    row = conn.execute(select(h.seq, h.hash, h.at, h.received_at)
                       .where(h.device_id == device_id)
                       .order_by(h.id.desc()).limit(1)).first()
    return None if row is None else AckedHead(row.seq, row.hash, row.at, row.received_at)


def _stored(conn: Connection, device_id: str, seqs: Sequence[int]) -> dict[int, str]:
    if not seqs:
        return {}
    r = device_audit_rows.c
    rows = conn.execute(select(r.seq, r.hash).where(
        r.device_id == device_id, r.seq >= min(seqs), r.seq <= max(seqs)))
    return {row.seq: row.hash for row in rows}


def anchor(conn: Connection, device: Device, rows: Sequence[UploadedRow], head_seq: int,
           head_hash: str, at: int, now: int) -> AnchorResult:
    """Check and store one upload (inside the caller's transaction)."""
    rows = sorted(rows, key=lambda r: r.seq)
    last = acknowledged_head(conn, device.id)
    flags: list[tuple[FlagKind, str, dict[str, object]]] = []
    repeated = sorted({a.seq for a, b in itertools.pairwise(rows) if a.seq == b.seq})
    if repeated:  # one chain has one row per seq: keep the first of each, flag the upload
        flags.append((FlagKind.AUDIT_LINK_BROKEN, f"{repeated[0]}:repeated",
                      {"repeated_seqs": repeated[:20]}))
        rows = [row for i, row in enumerate(rows) if i == 0 or rows[i - 1].seq != row.seq]
    stored = _stored(conn, device.id, [r.seq for r in rows] + ([r.seq - 1 for r in rows[:1]]))
    rebase_from: int | None = None
    if last is not None and head_seq < last.seq:
        flags.append((FlagKind.AUDIT_TRUNCATED, f"{last.seq}>{head_seq}",
                      {"acknowledged_seq": last.seq, "acknowledged_hash": last.hash,
                       "now_seq": head_seq, "now_hash": head_hash}))
        rebase_from = head_seq + 1
    if last is not None and head_seq >= last.seq and not any(r.seq == last.seq for r in rows) \
            and not (head_seq == last.seq and head_hash == last.hash) and last.seq > 0:
        flags.append((FlagKind.AUDIT_LINK_BROKEN, f"{last.seq}:missing",
                      {"acknowledged_seq": last.seq, "why": "acknowledged row not sent"}))
    prev_hash = stored.get(rows[0].seq - 1, GENESIS_HASH if rows and rows[0].seq == 1 else None) \
        if rows else None
    expected_seq = rows[0].seq if rows else None
    for row in rows:
        old = stored.get(row.seq)
        rewritten = old is not None and old != row.hash
        if rewritten:  # (its link to the old previous row is then broken too: one flag)
            flags.append((FlagKind.AUDIT_REWRITTEN, str(row.seq),
                          {"seq": row.seq, "acknowledged_hash": old, "now_hash": row.hash}))
            rebase_from = row.seq if rebase_from is None else min(rebase_from, row.seq)
            stored = {s: h for s, h in stored.items() if s < row.seq}
        elif row.seq != expected_seq or (prev_hash is not None and row.prev != prev_hash):
            flags.append((FlagKind.AUDIT_LINK_BROKEN, str(row.seq),
                          {"seq": row.seq, "prev": row.prev, "expected_prev": prev_hash}))
        prev_hash, expected_seq = row.hash, row.seq + 1
    if rows and (rows[-1].seq != head_seq or rows[-1].hash != head_hash):
        flags.append((FlagKind.AUDIT_LINK_BROKEN, f"head:{head_seq}",
                      {"head_seq": head_seq, "last_row": rows[-1].seq}))
    raised = [kind.value for kind, ref, detail in flags if raise_flag(
        conn, device_id=device.id, merchant_id=device.merchant_id, kind=kind, ref=ref,
        detail=detail, now=now)]
    r = device_audit_rows.c
    if rebase_from is not None:
        conn.execute(delete(device_audit_rows).where(r.device_id == device.id,
                                                     r.seq >= rebase_from))
        stored = {s: h for s, h in stored.items() if s < rebase_from}
    new_rows = [row for row in rows if row.seq not in stored]
    if new_rows:
        conn.execute(device_audit_rows.insert(), [
            {"device_id": device.id, "seq": x.seq, "prev_hash": x.prev, "hash": x.hash,
             "kind": x.kind, "ref": x.ref, "covered": x.covered, "voids": x.voids,
             "received_at": now} for x in new_rows])
    conn.execute(device_audit_heads.insert().values(
        device_id=device.id, seq=head_seq, hash=head_hash, at=at, received_at=now,
        rebased=bool(flags)))
    conn.execute(update(devices).where(devices.c.id == device.id).values(
        audit_seq=head_seq, audit_head=head_hash, audit_at=at, audit_received_at=now))
    return AnchorResult(AckedHead(head_seq, head_hash, at, now), raised, new_rows)
