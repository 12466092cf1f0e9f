"""One limit, shared: the counter refuses up front what the server would refuse; what
older ledgers hold still uploads; what the server will not take is shown as stuck,
exported to a marked file, and makes ``merchant-pos sync`` fail, never "all confirmed"."""

from __future__ import annotations

import json
import os
import stat
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from merchant_pos.cli import main
from merchant_pos.domain.limits import LEGACY_CART_LINES, LIMITS, Limits
from merchant_pos.domain.quote import CartLine
from merchant_pos.server.api_models import RedemptionItem
from merchant_pos.store import limits as store_limits
from merchant_pos.store.errors import LedgerError, LedgerErrorId
from merchant_pos.sync.engine import LAST_SUCCESS
from merchant_pos.sync.report import ConnectionState
from tests.sync.test_bad_entries import edit_payload
from tests.sync.world import PosDevice, ServerWorld


@pytest.fixture(autouse=True)
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # the CLI's token store must use the file
    yield
    keyring.set_keyring(previous)


def _cart(lines: int) -> list[CartLine]:
    return [CartLine("food", 100) for _ in range(lines)]


def _synced(world: ServerWorld, make_pos: Callable[..., PosDevice]) -> PosDevice:
    pos = make_pos()
    pos.enroll(world.url, world.enrollment_code())
    assert pos.engine.sync_now().ok
    return pos


def test_the_server_enforces_and_publishes_the_shared_limits(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    schema = RedemptionItem.model_json_schema()["properties"]
    assert schema["code"]["maxLength"] == LIMITS.code_chars == 2000  # the spec's bound
    assert schema["lines"]["maxItems"] == LEGACY_CART_LINES == 200  # what old ledgers hold
    pos = _synced(world, make_pos)
    published = pos.sync_ledger.get_setting("sync.policies")["limits"]
    assert published == LIMITS.to_json() and published["cart_lines"] == 100
    assert store_limits.effective_limits(pos.ledger) == LIMITS


def test_a_150_line_cart_is_refused_at_the_counter_with_a_clear_message(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    pos = _synced(world, make_pos)
    code = world.beneficiary_code()
    with pytest.raises(LedgerError) as quoted:
        pos.service.quote(code, _cart(150))
    assert quoted.value.error is LedgerErrorId.CART_TOO_LONG
    assert "100" in quoted.value.message("zh_CN") and "行" in quoted.value.message("zh_CN")
    assert "at most 100 lines" in quoted.value.message("en")
    with pytest.raises(LedgerError):
        pos.service.redeem(str(uuid.uuid4()), code, _cart(150), pos.session)
    assert pos.outbox() == {}
    rid = str(uuid.uuid4())
    pos.service.redeem(rid, code, _cart(100), pos.session)  # the limit itself is fine
    assert pos.engine.sync_now().ok and world.stored()[rid]["status"] == "accepted"


def test_the_counter_keeps_the_smaller_of_its_own_and_the_servers_limits(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    pos = _synced(world, make_pos)
    code = world.beneficiary_code()
    tighter = Limits(cart_lines=5, void_reason_chars=10).to_json()
    assert store_limits.save_server_limits(pos.ledger, tighter)
    assert not store_limits.save_server_limits(pos.ledger, tighter)  # unchanged
    with pytest.raises(LedgerError) as refused:
        pos.service.quote(code, _cart(6))
    assert "5" in refused.value.message("en")
    pos.service.quote(code, _cart(5))
    looser = {**LIMITS.to_json(), "cart_lines": 10**6, "code_chars": 10**6}
    store_limits.save_server_limits(pos.ledger, looser)
    assert store_limits.effective_limits(pos.ledger) == LIMITS  # never above our own
    store_limits.save_server_limits(pos.ledger, {"cart_lines": "many"})  # malformed: kept
    assert store_limits.effective_limits(pos.ledger) == LIMITS


def test_a_cart_an_older_ledger_recorded_with_150_lines_still_uploads(
    world: ServerWorld, make_pos: Callable[..., PosDevice], monkeypatch: pytest.MonkeyPatch
) -> None:
    pos = _synced(world, make_pos)
    code = world.beneficiary_code()
    old_rules = Limits(cart_lines=200)  # what the ledger accepted before the shared limits
    monkeypatch.setattr("merchant_pos.store.redemptions.limits_in", lambda session: old_rules)
    pos.ledger.close()
    pos = make_pos()  # reopened: no cached limits
    rid = str(uuid.uuid4())
    pos.service.redeem(rid, code, _cart(150), pos.session)
    monkeypatch.undo()
    report = pos.engine.sync_now()
    assert report.ok and report.accepted == 1
    assert world.stored()[rid]["status"] == "accepted"


def test_an_error_answer_is_stuck_with_its_reason_and_sync_exits_non_zero(
    world: ServerWorld, make_pos: Callable[..., PosDevice], tmp_path: Path,
    capsys: pytest.CaptureFixture[str]
) -> None:
    pos = _synced(world, make_pos)
    code = world.beneficiary_code()
    rid = pos.redeem(code, 500)
    assert pos.engine.sync_now().ok
    last_success = pos.sync_ledger.get_setting(LAST_SUCCESS)
    # The same UUID with other content: the server answers `error` (uuid_reused).
    edit_payload(pos, rid, lambda p: p.update(covered=400), status="pending")
    other = pos.redeem(code, 300)
    data = str(pos.data_dir)
    pos.close()

    assert main(["sync", "--data-dir", data, "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "Sync not complete" in out and "all confirmed" not in out
    assert "stuck: 1" in out and "state: stuck" in out
    assert "same id but different content" in out and "Retry" in out
    assert main(["sync", "--data-dir", data, "--lang", "zh_CN"]) == 1
    assert "服务器拒收" in capsys.readouterr().out

    pos = make_pos()
    assert world.stored()[other]["status"] == "accepted"  # the rest went through
    assert pos.sync_ledger.get_setting(LAST_SUCCESS) == last_success  # not moved
    status = pos.engine.status("en")
    assert status.state is ConnectionState.STUCK and status.stuck_entries == 1
    [stuck] = pos.sync_ledger.stuck_entries()
    assert (stuck.entry_id, stuck.reason, stuck.attempts) == (rid, "uuid_reused", 2)
    # Stuck entries never block new redemptions.
    assert pos.engine.check_redemption(100) is None
    pos.redeem(code, 100)

    target = tmp_path / "support" / "stuck.json"
    pos.close()
    assert main(["sync", "--data-dir", data, "--export-stuck", str(target),
                 "--lang", "en"]) == 0
    assert "Exported 1 stuck entries" in capsys.readouterr().out
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["contains_beneficiary_codes"] is True
    [entry] = document["entries"]
    assert entry["entry_id"] == rid and entry["payload"]["code"] == code
    assert entry["server_answer"]["reason"] == "uuid_reused"
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert main(["sync", "--data-dir", data, "--export-stuck", str(target)]) == 1
    assert "已存在" in capsys.readouterr().out  # never overwritten


def test_a_stuck_entry_the_server_later_takes_clears_and_success_returns(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    pos = _synced(world, make_pos)
    rid = pos.redeem(world.beneficiary_code(), 200)
    edit_payload(pos, rid, lambda p: p.update(covered=-5))  # the server refuses: 422
    report = pos.engine.sync_now()
    assert not report.ok and report.stuck == 1
    assert pos.sync_ledger.stuck_entries()[0].reason == "invalid_request"
    edit_payload(pos, rid, lambda p: p.update(covered=200))  # support repaired it
    report = pos.engine.sync_now()
    assert report.ok and report.stuck == 0 and pos.sync_ledger.stuck_entries() == []
    assert pos.engine.status().state is ConnectionState.IDLE
