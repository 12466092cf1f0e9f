"""Each pushed item against its device's audit chain and clock (issue 11).

Before a push is judged, every item's device sequence number, claimed time and
time received are recorded (the first receipt counts: a retry changes nothing),
and the device is flagged when

* the item differs from the audit row that records it (covered total, void
  target), or its audit row is missing from a chain already anchored past it;
* its time is earlier than an item before it in device order (minus
  :data:`TOLERANCE`);
* it was first recorded after a sync (its audit row lies beyond the head
  acknowledged at that sync) yet is dated earlier than that sync's server time
  minus the skew; a backlog sent in many batches, or a stuck entry retried later,
  has its audit row before that head and is not flagged for it;
* it is dated later than the time received plus the skew.

Items flagged for time are judged at the time received, not the claimed one
(:func:`judge_at_received`). The same checks run again when the audit rows
arrive after the items (:func:`check_rows`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, and_, func, select

from merchant_pos.domain.trust import TrustList
from merchant_pos.domain.verify import CLOCK_SKEW
from merchant_pos.server.api_models import RedemptionItem, VoidItem
from merchant_pos.server.audit_anchor import UploadedRow, acknowledged_head
from merchant_pos.server.auth import Device
from merchant_pos.server.device_flags import FlagKind, insert_ignoring, raise_flag
from merchant_pos.server.ingest_checks import (
    REDEEMED_IN_FUTURE,
    Checked,
    MerchantView,
    check_items,
)
from merchant_pos.server.schema import (
    device_audit_heads,
    device_audit_rows,
    device_flags,
    device_item_times,
)
from merchant_pos.server.sql_lists import in_list

TOLERANCE = 120
TIME_FLAGS = (FlagKind.TIME_BACKWARDS.value, FlagKind.TIME_BEFORE_SYNC.value,
              FlagKind.TIME_IN_FUTURE.value)
_t = device_item_times.c
_r = device_audit_rows.c


def _flag(conn: Connection, device: Device, kind: FlagKind, ref: str, now: int,
          **detail: Any) -> None:
    raise_flag(conn, device_id=device.id, merchant_id=device.merchant_id, kind=kind, ref=ref,
               detail=detail, now=now)


def before_push(conn: Connection, device: Device, items: Sequence[RedemptionItem | VoidItem],
                now: int) -> dict[str, int]:
    """Record and check the items; uuid → time received of those judged at that time."""
    uuids = [i.uuid for i in items]
    known = {row.uuid: row for row in conn.execute(
        select(device_item_times).where(_t.device_id == device.id,
                                        in_list(conn, _t.uuid, uuids)))}
    fresh = [i for i in items if i.uuid not in known]
    if fresh:
        insert_ignoring(conn, device_item_times, [{
            "device_id": device.id, "uuid": i.uuid, "device_seq": i.device_seq,
            "kind": i.type, "at": i.at, "received_at": now,
            "covered": i.covered if isinstance(i, RedemptionItem) else None,
            "voids": i.voids if isinstance(i, VoidItem) else None} for i in fresh])
    rows = {row.ref: row for row in conn.execute(
        select(device_audit_rows).where(_r.device_id == device.id,
                                        in_list(conn, _r.ref, uuids)))}
    head = acknowledged_head(conn, device.id)
    for item in fresh:
        _check_item(conn, device, _item_row(item, now), rows.get(item.uuid), head_seq=(
            head.seq if head else 0), now=now)
    flagged = {r.ref for r in conn.execute(select(device_flags.c.ref).where(
        device_flags.c.device_id == device.id, in_list(conn, device_flags.c.ref, uuids),
        device_flags.c.kind.in_(TIME_FLAGS)))}
    received = {i.uuid: now for i in fresh} | {u: r.received_at for u, r in known.items()}
    return {u: received[u] for u in flagged if u in received}


@dataclasses.dataclass(frozen=True)
class _Item:
    uuid: str
    device_seq: int | None
    kind: str
    at: int
    covered: int | None
    voids: str | None
    received_at: int


def _item_row(item: RedemptionItem | VoidItem, now: int) -> _Item:
    return _Item(item.uuid, item.device_seq, item.type, item.at,
                 item.covered if isinstance(item, RedemptionItem) else None,
                 item.voids if isinstance(item, VoidItem) else None, now)


def _check_item(conn: Connection, device: Device, item: _Item, row: Any, *, head_seq: int,
                now: int) -> None:
    if item.at > item.received_at + CLOCK_SKEW:
        _flag(conn, device, FlagKind.TIME_IN_FUTURE, item.uuid, now, at=item.at,
              received_at=item.received_at)
    if row is not None:
        _compare(conn, device, item, UploadedRow(row.seq, row.prev_hash, row.hash, row.kind,
                                                 row.ref, row.covered, row.voids), now)
    elif head_seq and item.device_seq is not None:
        # Anchored past an item recorded before that head yet without its row: only
        # flagged when the chain says nothing of it and newer items already have rows.
        later = conn.scalar(select(func.min(_r.seq)).select_from(device_item_times.join(
            device_audit_rows, and_(_r.device_id == _t.device_id, _r.ref == _t.uuid)))
            .where(_t.device_id == device.id, _t.device_seq > item.device_seq))
        if later is not None:
            _flag(conn, device, FlagKind.AUDIT_ROW_MISSING, item.uuid, now,
                  device_seq=item.device_seq)
    if item.device_seq is not None:
        _check_order(conn, device, item, now)


def _compare(conn: Connection, device: Device, item: _Item, row: UploadedRow,
             now: int) -> None:
    """An item against the audit row that records it (not the vouchers drawn)."""
    differs = row.kind != item.kind or (
        item.kind == "redemption" and row.covered is not None and row.covered != item.covered
    ) or (item.kind == "void" and row.voids is not None and row.voids != item.voids)
    if differs:
        _flag(conn, device, FlagKind.AUDIT_ITEM_DIFFERS, item.uuid, now, seq=row.seq,
              row_covered=row.covered, item_covered=item.covered)
    synced = conn.scalar(select(func.max(device_audit_heads.c.received_at)).where(
        device_audit_heads.c.device_id == device.id, device_audit_heads.c.seq < row.seq))
    if synced is not None and item.at < synced - CLOCK_SKEW:
        _flag(conn, device, FlagKind.TIME_BEFORE_SYNC, item.uuid, now, at=item.at,
              seq=row.seq, sync_server_time=synced)


def _check_order(conn: Connection, device: Device, item: _Item, now: int) -> None:
    """Times must not decrease in device order: compare with both neighbours."""
    before = conn.execute(select(_t.uuid, _t.at).where(
        _t.device_id == device.id, _t.device_seq < item.device_seq)
        .order_by(_t.device_seq.desc()).limit(1)).first()
    after = conn.execute(select(_t.uuid, _t.at).where(
        _t.device_id == device.id, _t.device_seq > item.device_seq)
        .order_by(_t.device_seq).limit(1)).first()
    if before is not None and item.at < before.at - TOLERANCE:
        _flag(conn, device, FlagKind.TIME_BACKWARDS, item.uuid, now, at=item.at,
              earlier_item=before.uuid, earlier_at=before.at)
    if after is not None and after.at < item.at - TOLERANCE:
        _flag(conn, device, FlagKind.TIME_BACKWARDS, after.uuid, now, at=after.at,
              earlier_item=item.uuid, earlier_at=item.at)


def check_rows(conn: Connection, device: Device, rows: Iterable[UploadedRow],
               now: int) -> None:
    """Audit rows that arrived after their items: the same comparison, now."""
    by_ref = {r.ref: r for r in rows if r.ref}
    if not by_ref:
        return
    for item in conn.execute(select(device_item_times).where(
            _t.device_id == device.id, _t.uuid.in_(list(by_ref)))):
        _compare(conn, device, _Item(item.uuid, item.device_seq, item.kind, item.at,
                                     item.covered, item.voids, item.received_at),
                 by_ref[item.uuid], now)


def judge_at_received(conn: Connection, merchant: MerchantView, trust: TrustList,
                      checked: list[Checked], received: dict[str, int], now: int) -> None:
    """Items flagged for time are judged as if made when the server received them: the
    code verified, the entitlements checked, the redemption and its draws dated then. The
    item as sent (its body with the claimed time, its content hash) is kept beside it."""
    for i, c in enumerate(checked):
        when = received.get(c.uuid)
        if when is None or not isinstance(c.item, RedemptionItem) \
                or c.reason == REDEEMED_IN_FUTURE:  # the future stays refused
            continue
        again = check_items(conn, merchant, trust, [c.item.model_copy(update={"at": when})],
                            now)[0]
        # judged (and its redemption row dated) at ``when``; the body and content hash
        # stay the item as sent, so a retry is still its duplicate
        again.content_hash, again.body = c.content_hash, c.body
        checked[i] = again
