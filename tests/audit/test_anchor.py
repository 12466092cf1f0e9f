"""The real server catches at the next sync what the counter's file could hide: a chain
rewritten with the device's own secret, truncated, reset, or items that differ from it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from merchant_pos.server.cli import main as server_main
from merchant_pos.server.device_flags import open_flags
from merchant_pos.server.schema import device_audit_heads, draws
from tests.audit.conftest import ShiftableWorld, audit_seq_of, raw, rechain, secret_of
from tests.sync.world import PosDevice


def flags(world: ShiftableWorld) -> set[str]:
    with world.engine.connect() as conn:
        return {f.kind for f in open_flags(conn)}


def sync(pos: PosDevice) -> None:
    report = pos.engine.sync_now()
    assert report.ok, report.message("en")


def test_negative_control_honest_syncs_raise_no_flag(world: ShiftableWorld, device: PosDevice,
                                                     capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    code = world.beneficiary_code()
    device.redeem(code, 300)
    sync(device)
    sync(device)
    assert flags(world) == set()
    assert device.engine.status("en").server_flag_warning is None
    with world.engine.connect() as conn:
        heads = conn.execute(select(device_audit_heads.c.seq)
                             .order_by(device_audit_heads.c.id)).scalars().all()
    assert len(heads) >= 4 and heads == sorted(heads)  # every head kept, only forward
    assert server_main(["--db", world.db_url, "device", "list"]) == 0
    assert "FLAGGED" not in capsys.readouterr().out


def test_a_chain_rewritten_with_the_device_secret(world: ShiftableWorld, device: PosDevice,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """The books and the chain agree again (local verify passes), but the server holds the
    acknowledged rows: the rewrite shows in device list, settlement and on the counter."""
    folder = device.data_dir
    db = raw(folder)
    rid = db.execute("SELECT id FROM redemptions WHERE covered = 100").fetchone()[0]
    seq = audit_seq_of(db, "redemption", rid)
    db.execute("UPDATE audit_log SET payload = replace(payload, '\"covered\":100', "
               "'\"covered\":10') WHERE seq = ?", (seq,))
    db.execute("UPDATE redemptions SET covered = 10 WHERE id = ?", (rid,))
    db.execute("UPDATE redemption_lines SET covered = 10 WHERE redemption_id = ?", (rid,))
    body = json.loads(db.execute("SELECT payload FROM outbox WHERE entry_id = ?",
                                 (rid,)).fetchone()[0])
    body["covered"] = 10
    db.execute("UPDATE outbox SET payload = ? WHERE entry_id = ?", (json.dumps(body), rid))
    rechain(db, secret_of(folder))
    assert device.ledger.verify_audit().ok  # the keyring holder fooled the file check
    sync(device)
    assert "audit_rewritten" in flags(world)
    status = device.engine.status("en")
    assert status.server_flags >= 1 and "flagged" in (status.server_flag_warning or "")
    assert "标记" in (device.engine.status("zh_CN").server_flag_warning or "")
    assert server_main(["--db", world.db_url, "device", "list"]) == 0
    assert "FLAGGED: audit_rewritten×1\n" in capsys.readouterr().out
    assert server_main(["--db", world.db_url, "settlement"]) == 0
    assert "audit_rewritten" in capsys.readouterr().out
    with world.engine.connect() as conn:
        assert len(open_flags(conn)) == 1
    sync(device)  # one tamper, one flag: the next sync does not raise it again
    with world.engine.connect() as conn:
        assert len(open_flags(conn)) == 1


@pytest.mark.parametrize("then_redeem", [False, True])
def test_truncating_anchored_rows(world: ShiftableWorld, device: PosDevice,
                                  then_redeem: bool) -> None:
    db = raw(device.data_dir)
    with world.engine.connect() as conn:
        acked = conn.execute(select(device_audit_heads.c.seq)
                             .order_by(device_audit_heads.c.id.desc())).scalars().first()
    assert acked is not None
    db.execute("DELETE FROM audit_log WHERE seq > ?", (acked - 3,))
    db.execute("UPDATE audit_head SET seq = ?, hash = (SELECT hash FROM audit_log WHERE "
               "seq = ?)", (acked - 3, acked - 3))
    if then_redeem:  # and carry on: the chain grows past the acknowledged seq again
        code = world.beneficiary_code()
        for amount in range(5):
            device.redeem(code, 400 + amount)
    sync(device)
    assert ("audit_rewritten" if then_redeem else "audit_truncated") in flags(world)


def test_deleting_every_audit_row_and_the_head(world: ShiftableWorld,
                                               device: PosDevice) -> None:
    db = raw(device.data_dir)
    db.execute("DELETE FROM audit_log")
    db.execute("DELETE FROM audit_head")
    sync(device)
    assert "audit_truncated" in flags(world)


def _edit_pending(pos: PosDevice, rid: str, change: dict[str, Any]) -> None:
    db = raw(pos.data_dir)
    body = json.loads(db.execute("SELECT payload FROM outbox WHERE entry_id = ?",
                                 (rid,)).fetchone()[0])
    db.execute("UPDATE outbox SET payload = ? WHERE entry_id = ?",
               (json.dumps(body | change), rid))


def test_an_item_that_differs_from_its_audit_row(world: ShiftableWorld,
                                                 device: PosDevice) -> None:
    rid = device.redeem(world.beneficiary_code(), 500)
    line = json.loads(raw(device.data_dir).execute(
        "SELECT payload FROM outbox WHERE entry_id = ?", (rid,)).fetchone()[0])["lines"][0]
    _edit_pending(device, rid, {"covered": 5000, "lines": [
        line | {"amount": 5000, "covered": 5000, "draws": {"food": 5000}}]})
    sync(device)
    assert flags(world) == {"audit_item_differs"}


def test_backdating_an_entry_recorded_after_a_sync(world: ShiftableWorld,
                                                   device: PosDevice) -> None:
    """Flagged, and judged at the time received: its draws are dated then, not a day ago."""
    rid = device.redeem(world.beneficiary_code(), 600)
    claimed = device.clock.now() - 86_400
    _edit_pending(device, rid, {"at": claimed})
    sync(device)
    assert {"time_before_sync", "time_backwards"} <= flags(world)
    with world.engine.connect() as conn:
        dated = conn.execute(select(draws.c.at).where(draws.c.rid == rid)).scalars().all()
    assert dated and all(at > claimed + 80_000 for at in dated)


def test_a_future_dated_entry(world: ShiftableWorld, device: PosDevice) -> None:
    rid = device.redeem(world.beneficiary_code(), 700)
    _edit_pending(device, rid, {"at": device.clock.now() + 2 * 86_400})
    sync(device)
    assert "time_in_future" in flags(world)
    assert world.stored()[rid]["status"] == "rejected"


def test_a_backlog_in_many_batches_and_a_stuck_entry_are_not_flagged(
        world: ShiftableWorld, device: PosDevice) -> None:
    code = world.beneficiary_code()
    backlog = [device.redeem(code, 800 + i) for i in range(7)]
    stuck = backlog[0]
    db = raw(device.data_dir)
    db.execute("UPDATE outbox SET status = 'held' WHERE entry_id = ?", (stuck,))
    world.offset = 3600.0  # the backlog reaches the server an hour later ...
    device.engine.batch_size = 2  # ... in four batches
    sync(device)
    db.execute("UPDATE outbox SET status = 'pending' WHERE entry_id = ?", (stuck,))
    world.offset = 7200.0  # and the stuck entry two hours later
    sync(device)
    assert set(world.stored()) >= set(backlog)
    assert flags(world) == set()
