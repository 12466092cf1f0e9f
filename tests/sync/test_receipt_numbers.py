"""Short receipt numbers: the server's device number (kept through a re-enrollment of the
same data folder, never reused) and the folder's running number."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from merchant_pos.server.schema import devices
from merchant_pos.store.models import RedemptionRow
from tests.sync.world import PosDevice, ServerWorld


def _receipt_nos(pos: PosDevice) -> list[str]:
    with pos.ledger.read() as session:
        return list(session.scalars(select(RedemptionRow.receipt_no)
                                    .order_by(RedemptionRow.created_at, RedemptionRow.receipt_no)))


def test_device_numbers_are_short_kept_on_reenrollment_and_never_reused(
        world: ServerWorld, make_pos: Callable[..., PosDevice]) -> None:
    first, second = make_pos("first"), make_pos("second")
    first.enroll(world.url, world.enrollment_code())
    second.enroll(world.url, world.enrollment_code())
    other_merchant = make_pos("other")
    other_merchant.enroll(world.url, world.enrollment_code("M-B"))
    assert first.engine.sync_now().ok and second.engine.sync_now().ok
    code = world.beneficiary_code()
    first.redeem(code)
    first.redeem(code)
    second.redeem(code)
    assert _receipt_nos(first) == ["01-000001", "01-000002"]
    assert _receipt_nos(second) == ["02-000001"]
    assert all(len(n) <= 16 for n in _receipt_nos(first))

    # The first folder enrolls again (say its token was revoked): same number, and its
    # running number goes on, so no receipt number repeats.
    again = first.enroll(world.url, world.enrollment_code())
    assert first.engine.sync_now().ok
    first.redeem(code)
    assert _receipt_nos(first)[-1] == "01-000003"
    # A new folder never gets a number that was handed out, even to a revoked device.
    third = make_pos("third")
    third.enroll(world.url, world.enrollment_code())
    with world.engine.connect() as conn:
        numbers = dict(conn.execute(select(devices.c.id, devices.c.number)).all())
    assert numbers[again.device_id] == 1
    assert numbers[third.tokens.load().device_id] == 3  # type: ignore[union-attr]
    assert numbers[other_merchant.tokens.load().device_id] == 1  # type: ignore[union-attr]


def test_a_ledger_without_a_device_number_keeps_the_long_form(
        world: ServerWorld, make_pos: Callable[..., PosDevice]) -> None:
    pos = make_pos()
    pos.enroll(world.url, world.enrollment_code())
    assert pos.engine.sync_now().ok
    pos.sync_ledger.state.set_setting("device.number", None)
    pos.redeem(world.beneficiary_code())
    (number,) = _receipt_nos(pos)
    device_id = pos.tokens.load().device_id  # type: ignore[union-attr]
    assert number == f"{device_id}-000001"
