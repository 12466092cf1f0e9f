"""With the real server on loopback: accepted codes leave the counter's files, syncs that
change nothing leave no audit rows, and a device the server revoked cannot redeem."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from merchant_pos.domain import CartLine
from merchant_pos.printing.build import receipt_content
from merchant_pos.server import admin
from merchant_pos.store import LedgerError, LedgerErrorId
from merchant_pos.store.models import AuditRow
from tests.support.files import files_holding
from tests.sync.world import PosDevice, ServerWorld


def audit_rows(pos: PosDevice) -> int:
    with pos.ledger.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditRow)) or 0)


def test_accepted_codes_leave_every_file_and_reprints_still_work(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    pos = make_pos()
    pos.enroll(world.url, world.enrollment_code())
    assert pos.engine.sync_now().ok
    codes = [world.beneficiary_code() for _ in range(3)]
    ids = [pos.redeem(code, 300) for code in codes]
    # Control: before the server has them, the codes are on disk (the search finds them).
    assert all(files_holding(pos.data_dir, code) for code in codes)
    report = pos.engine.sync_now()
    assert report.ok and report.accepted == 3
    late = world.beneficiary_code()
    late_id = pos.redeem(late, 200)  # not sent yet: keeps its code, the server needs it
    for code in codes:  # ledger, -wal, -shm, backups, credentials: nowhere
        assert files_holding(pos.data_dir, code) == []
    assert files_holding(pos.data_dir, late) != []
    for rid in ids:
        receipt = pos.service.receipt(rid)
        assert receipt is not None and receipt.masked_name and "*" in receipt.masked_name
        assert receipt.snapshot is not None and receipt.snapshot.remaining
        printed = receipt_content(pos.ledger, rid, "zh_CN")  # a reprint needs no code
        assert printed.beneficiary.startswith(receipt.masked_name) and printed.remaining
    # The same-id retry after acceptance: recognised by the code's digest.
    again = pos.service.redeem(ids[0], codes[0], [CartLine("food", 300)], pos.session)
    assert again.already_recorded
    with pytest.raises(LedgerError) as err:
        pos.service.redeem(ids[0], codes[1], [CartLine("food", 300)], pos.session)
    assert err.value.error is LedgerErrorId.ID_REUSED
    assert pos.engine.sync_now().accepted == 1 and late_id in world.stored()
    assert files_holding(pos.data_dir, late) == []


def test_syncs_that_change_nothing_write_no_audit_rows(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    pos = make_pos()
    pos.enroll(world.url, world.enrollment_code())
    assert pos.engine.sync_now().ok
    assert pos.engine.sync_now().ok
    settled = audit_rows(pos)
    for _ in range(3):  # the scheduler's one-minute syncs, with nothing new anywhere
        assert pos.engine.sync_now().ok
    assert audit_rows(pos) == settled
    admin.create_key(world.engine, iss="another-foundation", now=int(time.time()))
    assert pos.engine.sync_now().ok
    assert audit_rows(pos) == settled + 1  # a real change of the trust list is audited


def test_a_device_the_server_revoked_cannot_redeem(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    pos = make_pos()
    enrolled = pos.enroll(world.url, world.enrollment_code())
    assert pos.engine.sync_now().ok
    code = world.beneficiary_code()
    pos.redeem(code, 100)
    admin.revoke_device(world.engine, enrolled.device_id, now=int(time.time()))
    report = pos.engine.sync_now()
    assert not report.ok and report.error is not None
    assert report.error.message_id == "device_revoked"
    with pytest.raises(LedgerError) as err:
        pos.service.redeem(str(uuid.uuid4()), code, [CartLine("food", 100)], pos.session)
    assert err.value.error is LedgerErrorId.DEVICE_REVOKED
    block = pos.engine.status().redemption_block
    assert block is not None and block.message("en") == err.value.message("en")
