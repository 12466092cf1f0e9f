"""Entries the server cannot take: they are isolated, kept, and never block the rest."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

import pytest

from merchant_pos.sync.push_items import UnsendableEntry, push_item
from tests.sync.world import PosDevice, ServerWorld


def edit_payload(pos: PosDevice, entry_id: str, change: Callable[[dict[str, object]], None],
                 *, status: str | None = None) -> None:
    """Simulate a damaged outbox row (the only way a payload can change)."""
    with sqlite3.connect(pos.ledger.path) as conn:
        (raw,) = conn.execute("SELECT payload FROM outbox WHERE entry_id = ?",
                              (entry_id,)).fetchone()
        payload = json.loads(raw)
        change(payload)
        conn.execute("UPDATE outbox SET payload = ? WHERE entry_id = ?",
                     (json.dumps(payload), entry_id))
        if status is not None:
            conn.execute("UPDATE outbox SET status = ? WHERE entry_id = ?", (status, entry_id))


def test_an_entry_the_server_refuses_is_isolated_and_kept(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    pos = make_pos()
    pos.enroll(world.url, world.enrollment_code())
    assert pos.engine.sync_now().ok
    code = world.beneficiary_code()
    ids = [pos.redeem(code, 100) for _ in range(9)]
    edit_payload(pos, ids[4], lambda p: p.update(covered=-5))  # fails the schema: 422
    report = pos.engine.sync_now()
    # The sync ran, but it is not "all confirmed": one entry is stuck, shown, kept.
    assert report.completed and not report.ok
    assert report.errors == 1 and report.accepted == 8 and report.stuck == 1
    assert "1" in report.message("en") and "stuck" in report.message("en")
    assert set(world.stored()) == set(ids) - {ids[4]}
    assert pos.outbox()[ids[4]] == "pending"
    with sqlite3.connect(pos.ledger.path) as conn:
        (error,) = conn.execute("SELECT last_error FROM outbox WHERE entry_id = ?",
                                (ids[4],)).fetchone()
    assert "invalid_request" in error
    status = pos.engine.status()
    assert status.pending_entries == 1 and status.stuck_entries == 1
    [stuck] = pos.sync_ledger.stuck_entries()
    assert stuck.entry_id == ids[4] and stuck.reason == "invalid_request"


def test_same_uuid_with_other_content_is_an_error_not_a_second_record(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    pos = make_pos()
    pos.enroll(world.url, world.enrollment_code())
    assert pos.engine.sync_now().ok
    rid = pos.redeem(world.beneficiary_code(), 500)
    assert pos.engine.sync_now().accepted == 1
    edit_payload(pos, rid, lambda p: p.update(covered=400), status="pending")
    report = pos.engine.sync_now()
    assert report.errors == 1 and report.accepted == 0 and not report.ok
    assert world.row_count() == 1 and world.stored()[rid]["covered"] == 500
    assert pos.outbox()[rid] == "pending"
    assert [s.reason for s in pos.sync_ledger.stuck_entries()] == ["uuid_reused"]


def test_push_item_is_the_same_every_time_and_drops_empty_draws() -> None:
    payload = {"type": "redemption", "id": "u1", "code": "BC1:X", "at": 5, "covered": 100,
               "receipt_no": "D-000001", "total": 300, "pays": 200, "operator_id": 1,
               "lines": [{"cat": "food", "amount": 300, "qty": 1, "covered": 100,
                          "draws": {"food": 100, "zero": 0}, "units": {},
                          "reason": "limit_reached"}]}
    first, second = push_item(payload), push_item(json.loads(json.dumps(payload)))
    assert first == second
    assert first == {"type": "redemption", "uuid": "u1", "code": "BC1:X", "at": 5,
                     "covered": 100, "receipt": "D-000001",
                     "lines": [{"cat": "food", "amount": 300, "qty": 1, "covered": 100,
                                "draws": {"food": 100}}]}
    void = push_item({"type": "void", "id": "v1", "redemption_id": "u1", "at": 9,
                      "reason": "x" * 300})
    assert void["voids"] == "u1" and len(void["reason"]) == 200
    with pytest.raises(UnsendableEntry):
        push_item({"type": "refund", "id": "z"})
    with pytest.raises(UnsendableEntry):
        push_item({"type": "redemption", "id": "z"})
