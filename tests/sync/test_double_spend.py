"""Two POS devices of two merchants, offline, over-spend one beneficiary: after both
sync, the conflict is flagged on the later redemption and shown on its device."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from tests.sync.world import BABY, PosDevice, ServerWorld


def after(first: PosDevice, rid: str, then: PosDevice) -> None:
    """Wait until ``then``'s corrected clock is a whole second past the time
    ``first`` recorded for ``rid``. Each device's clock carries the offset it
    measured against the server, and a round trip on a loaded machine can
    make two devices' offsets differ by more than a fixed sleep."""
    from merchant_pos.store.models import RedemptionRow
    with first.ledger.read() as session:
        at = session.get(RedemptionRow, rid).created_at  # type: ignore[union-attr]
    while int(then.clock.now()) <= at:
        time.sleep(0.05)


def ready(world: ServerWorld, make_pos: Callable[..., PosDevice], name: str,
          merchant: str) -> PosDevice:
    pos = make_pos(name)
    pos.enroll(world.url, world.enrollment_code(merchant))
    assert pos.engine.sync_now().ok
    return pos


@pytest.mark.parametrize("first_to_sync", ["earlier", "later"])
def test_offline_double_spend_is_flagged_on_the_later_redemption(
    world: ServerWorld, make_pos: Callable[..., PosDevice], first_to_sync: str
) -> None:
    shop_a = ready(world, make_pos, "a", "M-A")
    shop_b = ready(world, make_pos, "b", "M-B")
    code = world.beneficiary_code(BABY)  # one 50-yuan voucher
    # both offline: each sees the whole voucher and covers 40 yuan of it
    earlier = shop_a.redeem(code, 4000, cat="formula")
    after(shop_a, earlier, shop_b)  # redemption times are whole seconds: make the order certain
    later = shop_b.redeem(code, 4000, cat="formula")
    assert shop_a.local_statuses()[earlier] == shop_b.local_statuses()[later] == "pending"

    order = [shop_a, shop_b] if first_to_sync == "earlier" else [shop_b, shop_a]
    for pos in order:
        assert pos.engine.sync_now().ok
    for pos in (shop_a, shop_b):  # a second round brings back later outcome changes
        assert pos.engine.sync_now().ok

    stored = world.stored()
    assert stored[earlier]["status"] == "accepted"
    assert stored[later]["status"] == "conflict"
    assert shop_a.local_statuses()[earlier] == "accepted"
    assert shop_b.local_statuses()[later] == "conflict"
    # shown on the device that made it, with what it exceeded; not on the other one
    flagged = shop_b.engine.ledger.conflicts()
    assert [c.redemption_id for c in flagged] == [later]
    exceeded = flagged[0].detail["conflict"]["exceeded"][0]
    assert exceeded["ent"] == "v1" and exceeded["lim"] == 5000
    assert exceeded["earlier"] == [earlier]
    assert flagged[0].message("zh_CN") == (
        "与其他商户的使用冲突：v1：限额总额 50.00 元，此前他处已用 40.00 元，本笔 40.00 元")
    assert "already used elsewhere ¥40.00" in flagged[0].message("en")
    assert shop_b.engine.status().conflicts == 1 and shop_a.engine.status().conflicts == 0
    assert shop_a.engine.ledger.conflicts() == []
    # and each device's quote now sees the other's draw
    sub_usage_a = {u.rid for u in shop_a.sync_ledger.usage.usage(
        "demo-foundation", subject(code))}
    assert sub_usage_a == {earlier, later}


def test_a_conflict_found_later_reaches_the_device_with_a_message(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    shop_a = ready(world, make_pos, "a", "M-A")
    shop_b = ready(world, make_pos, "b", "M-B")
    code = world.beneficiary_code(BABY)
    earlier = shop_a.redeem(code, 3000, cat="formula")
    after(shop_a, earlier, shop_b)
    later = shop_b.redeem(code, 3000, cat="formula")
    first = shop_b.engine.sync_now()
    assert first.ok and first.accepted == 1  # nobody else has used the voucher yet
    assert shop_a.engine.sync_now().ok  # the earlier one arrives: B's is now a conflict
    report = shop_b.engine.sync_now()
    assert report.ok and report.outcome_changes == 1
    assert "冲突" in report.message("zh_CN") and "conflict" in report.message("en")
    assert shop_b.local_statuses()[later] == "conflict"
    assert shop_a.local_statuses()[earlier] == "accepted"


def subject(code: str) -> str:
    from merchant_pos.domain.claims import parse_claims
    from merchant_pos.domain.cose import loads_cbor, parse_cose_sign1, unwrap_text
    return parse_claims(loads_cbor(parse_cose_sign1(unwrap_text(code)).payload)).sub
