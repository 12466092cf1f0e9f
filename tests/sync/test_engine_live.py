"""The engine against the real reference server on loopback (no faults)."""

from __future__ import annotations

from collections.abc import Callable

from merchant_pos.sync.report import ConnectionState
from tests.sync.world import PosDevice, ServerWorld


def enrolled(world: ServerWorld, make_pos: Callable[..., PosDevice], name: str = "pos",
             merchant: str = "M-A", **kwargs: object) -> PosDevice:
    pos = make_pos(name, **kwargs)
    pos.enroll(world.url, world.enrollment_code(merchant))
    first = pos.engine.sync_now()
    assert first.ok, first.message("en")
    return pos


def test_enroll_then_sync_pulls_config_keys_and_pushes_redemptions(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    pos = enrolled(world, make_pos)
    profile = pos.sync_ledger.settings.load_profile()
    assert profile is not None and profile.merchant_id == "M-A"
    assert len(pos.sync_ledger.trust.trust_list()) == 1
    code = world.beneficiary_code()
    ids = [pos.redeem(code, 100 + i) for i in range(25)]
    assert pos.engine.check_redemption(100) is None
    report = pos.engine.sync_now()
    assert report.ok and report.pushed == 25 and report.accepted == 25
    stored = world.stored()
    assert set(stored) == set(ids)
    assert all(stored[i]["status"] == "accepted" for i in ids)
    assert set(pos.local_statuses().values()) == {"accepted"}
    status = pos.engine.status("en")
    assert status.state is ConnectionState.IDLE and status.pending_entries == 0
    assert all(status.fresh_at[k] is not None for k in ("config", "trust", "usage", "push"))
    # a second sync sends nothing again
    again = pos.engine.sync_now()
    assert again.ok and again.pushed == 0 and world.row_count() == 25


def test_void_reaches_the_server_after_its_redemption(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    pos = enrolled(world, make_pos)
    code = world.beneficiary_code()
    rid = pos.redeem(code, 300)
    pos.service.void(rid, void_id="0" * 8 + "-0000-4000-8000-" + "0" * 12,
                     supervisor_name="店长", supervisor_pin="2468", reason="顾客退货")
    report = pos.engine.sync_now()
    assert report.ok and report.pushed == 2
    stored = world.stored()
    assert stored[rid]["voided_by"] is not None
    assert pos.local_statuses()[rid] == "voided"


def test_revoked_token_stops_sync_with_reenrollment_message(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    from merchant_pos.server import admin
    pos = enrolled(world, make_pos)
    token = pos.tokens.load()
    assert token is not None
    admin.revoke_device(world.engine, token.device_id, now=pos.clock.now())
    rid = pos.redeem(world.beneficiary_code())
    report = pos.engine.sync_now()
    assert not report.ok and report.error is not None
    assert report.retries == 0  # 403 is not retried
    assert "停用" in report.message("zh_CN")
    assert pos.engine.status().state is ConnectionState.REENROLL_NEEDED
    assert pos.outbox()[rid] == "pending"  # nothing dropped


def test_usage_pulls_page_by_page_with_the_cursor_after_each_page(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    other = enrolled(world, make_pos, "other", merchant="M-B")
    code = world.beneficiary_code()
    for _ in range(7):
        other.redeem(code, 50)
    assert other.engine.sync_now().ok
    pos = make_pos("pos", page_size=3)
    pos.enroll(world.url, world.enrollment_code("M-A"))
    seen: list[tuple[str, int]] = []
    pos.engine.on_progress = lambda step, n: seen.append((step, n))
    report = pos.engine.sync_now()
    assert report.ok and report.pulled["usage"] == 7
    assert [n for step, n in seen if step == "usage"] == [3, 6, 7]
    cursor = pos.sync_ledger.cursor("usage")
    assert cursor is not None and int(cursor) > 0
    sub = code_subject(code)
    assert sum(u.amount for u in pos.sync_ledger.usage.usage("demo-foundation", sub)) == 350
    # nothing new: the next sync asks after the stored cursor and gets nothing
    assert pos.engine.sync_now().pulled["usage"] == 0


def code_subject(code: str) -> str:
    from merchant_pos.domain.claims import parse_claims
    from merchant_pos.domain.cose import loads_cbor, parse_cose_sign1, unwrap_text
    return parse_claims(loads_cbor(parse_cose_sign1(unwrap_text(code)).payload)).sub


def test_wrong_token_is_401_and_asks_for_reenrollment(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    pos = enrolled(world, make_pos)
    token = pos.tokens.load()
    assert token is not None
    pos.tokens.save(type(token)(token.server_url, token.device_id, "not-the-token"))
    report = pos.engine.sync_now()
    assert report.error is not None and report.error.status == 401 and report.retries == 0
    assert "重新登记" in report.message("zh_CN") and "enroll" in report.message("en")
    status = pos.engine.status("en")
    assert status.state is ConnectionState.REENROLL_NEEDED
    assert status.last_error is not None and "enroll" in status.last_error
