"""Transport and tokens: https:// for any server but this machine; device tokens that
rotate (the previous one valid until the successor is first used, a lost rotation
answer costs nothing) and expire after too long without a sync, after which the
device enrolls again and uploads what it holds."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from merchant_pos.cli import main
from merchant_pos.server.device_tokens import TokenPolicy, hash_secret
from merchant_pos.server.schema import devices
from merchant_pos.sync.engine import INSECURE_HTTP
from merchant_pos.sync.errors import AuthError, InsecureTransport
from merchant_pos.sync.http_client import ApiClient, check_transport, is_loopback
from merchant_pos.sync.report import ConnectionState
from merchant_pos.sync.token_store import DeviceToken
from tests.sync.faultproxy import Fault, FaultPlan, FaultProxy
from tests.sync.world import PosDevice, ServerWorld

HOUR = 3600


@pytest.fixture
def rotating(tmp_path: Path) -> Iterator[ServerWorld]:
    """A server that hands out a successor token at every sync."""
    server = ServerWorld(tmp_path / "rotating", tokens=TokenPolicy(rotate_after_seconds=0))
    server.start()
    yield server
    server.stop()


def _config(world: ServerWorld, token: str) -> requests.Response:
    return requests.get(f"{world.url}/v1/config", timeout=10,
                        headers={"Authorization": f"Bearer {token}"})


# -- https -------------------------------------------------------------------------------

def test_http_to_another_machine_is_refused_and_loopback_is_not() -> None:
    for host in ("127.0.0.1", "127.8.9.1", "localhost", "[::1]"):
        assert is_loopback(host.strip("[]")), host
        check_transport(f"http://{host}:8700")
    for url in ("http://pos.example.org", "http://192.0.2.7:8700", "http://[2001:db8::1]"):
        with pytest.raises(InsecureTransport) as caught:
            ApiClient(url)
        assert url in caught.value.message("en") and "https://" in caught.value.message("zh_CN")
        check_transport(url, insecure_http=True)  # lab use: allowed (and logged)
    check_transport("https://pos.example.org")


def test_enrolling_over_http_to_a_remote_host_is_refused_before_anything_is_sent(
    make_pos: Callable[..., PosDevice], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    pos = make_pos()
    with pytest.raises(InsecureTransport):
        pos.enroll("http://192.0.2.7:8700", "ABCDE-FGHJK")
    assert pos.enroll_waits == [] and pos.tokens.load() is None
    monkeypatch.setattr("sys.stdin", io.StringIO("ABCDE-FGHJK\n"))
    assert main(["enroll", "--server", "http://192.0.2.7:8700", "--code", "-",
                 "--data-dir", str(tmp_path / "cli"), "--lang", "en"]) == 1
    assert "not https://" in capsys.readouterr().out


def test_a_stored_http_server_without_the_lab_flag_is_not_contacted(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    pos = make_pos()
    pos.enroll(world.url, world.enrollment_code())
    token = pos.tokens.load()
    assert token is not None
    pos.tokens.save(DeviceToken("http://192.0.2.7:8700", token.device_id, token.secret))
    report = pos.engine.sync_now()
    assert isinstance(report.error, InsecureTransport) and report.http_calls == 0
    pos.sync_ledger.set_setting(INSECURE_HTTP, True)  # what --insecure-http stores
    pos.tokens.save(token)  # back to loopback: fine either way
    assert pos.engine.sync_now().ok


# -- rotation ----------------------------------------------------------------------------

def test_the_previous_token_works_until_the_successor_is_first_used(
    rotating: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    first = requests.post(f"{rotating.url}/v1/devices/enroll", timeout=10, json={
        "code": rotating.enrollment_code(), "name": "t"}).json()["token"]
    lost = _config(rotating, first).json()["token"]["next"]  # this answer is "lost"
    again = _config(rotating, first)  # the old token still works...
    assert again.status_code == 200
    successor = again.json()["token"]["next"]  # ...and a fresh successor comes
    assert successor not in (lost, first)
    assert _config(rotating, lost).status_code == 401  # the lost one never became valid
    assert _config(rotating, successor).status_code == 200  # first use: promoted
    assert _config(rotating, first).status_code == 401  # now the previous one is over


def test_a_sync_that_loses_the_rotation_answer_keeps_working(
    rotating: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    pos = make_pos()
    pos.enroll(rotating.url, rotating.enrollment_code())
    assert pos.engine.sync_now().ok  # the first rotation, without faults
    enrolled = pos.tokens.load()
    assert enrolled is not None
    rid = pos.redeem(rotating.beneficiary_code(), 300)
    plan = FaultPlan()
    plan.force(Fault.RESPONSE_LOST_AFTER_COMMIT)  # the first call, GET /v1/config, is lost
    with FaultProxy(rotating.server.port, plan) as proxy:
        pos.tokens.save(DeviceToken(proxy.url, enrolled.device_id, enrolled.secret))
        report = pos.engine.sync_now()
    assert plan.injected[Fault.RESPONSE_LOST_AFTER_COMMIT] == 1 and report.retries >= 1
    assert report.ok and rotating.stored()[rid]["status"] == "accepted"
    rotated = pos.tokens.load()
    assert rotated is not None and rotated.secret != enrolled.secret
    with rotating.engine.connect() as conn:
        row = conn.execute(select(devices.c.token_hash, devices.c.next_token_hash)).one()
    assert row.token_hash == hash_secret(rotated.secret)  # used during the sync: promoted
    assert row.next_token_hash is None
    assert _config(rotating, enrolled.secret).status_code == 401
    pos.tokens.save(DeviceToken(rotating.url, rotated.device_id, rotated.secret))
    assert pos.engine.sync_now().ok  # and again (another rotation)
    latest = pos.tokens.load()
    assert latest is not None and latest.secret != rotated.secret


def test_a_successor_that_never_reached_the_store_costs_nothing(
    rotating: ServerWorld, make_pos: Callable[..., PosDevice], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The successor arrived but could not be stored: it is not used, the sync goes on
    with the previous token, and the next sync brings another successor."""
    pos = make_pos()
    pos.enroll(rotating.url, rotating.enrollment_code())
    enrolled = pos.tokens.load()
    assert enrolled is not None

    def broken_save(token: DeviceToken) -> str:
        raise OSError("disk full")
    monkeypatch.setattr(pos.tokens, "save", broken_save)
    assert pos.engine.sync_now().ok
    monkeypatch.undo()
    assert pos.tokens.load() == enrolled
    assert _config(rotating, enrolled.secret).status_code == 200  # still the token
    assert pos.engine.sync_now().ok
    rotated = pos.tokens.load()
    assert rotated is not None and rotated.secret != enrolled.secret


# -- expiry ------------------------------------------------------------------------------

def test_an_expired_token_means_enroll_again_and_everything_held_is_uploaded(
    tmp_path: Path, make_pos: Callable[..., PosDevice]
) -> None:
    world = ServerWorld(tmp_path / "expiring", tokens=TokenPolicy(ttl_seconds=100 * HOUR))
    world.start()
    try:
        pos = make_pos()
        pos.enroll(world.url, world.enrollment_code("M-A"))  # offline limit: 72 h
        assert pos.engine.sync_now().ok
        policies = pos.sync_ledger.get_setting("sync.policies")
        assert policies["token_ttl_hours"] == 144  # never under twice the offline limit
        code = world.beneficiary_code()
        held = [pos.redeem(code, 100) for _ in range(3)]
        world.clock_offset = 143 * HOUR  # not yet
        report = pos.engine.sync_now()
        assert report.ok, report.message("en")
        pos.session = pos.operators.sign_in("店长", "2468")  # the clock jumped: locked
        held += [pos.redeem(code, 100) for _ in range(2)]
        world.clock_offset += 145 * HOUR  # 145 h without a sync
        report = pos.engine.sync_now()
        assert isinstance(report.error, AuthError)
        assert report.error.message_id == "token_expired"
        assert "enroll again" in report.message("en") and "重新登记" in report.message("zh_CN")
        status = pos.engine.status("en")
        assert status.state is ConnectionState.REENROLL_NEEDED
        assert status.pending_entries == 2  # kept, not lost
        old_device = pos.tokens.load()
        assert old_device is not None
        fresh = world.enrollment_code("M-A", now=int(time.time() + world.clock_offset))
        pos.enroll(world.url, fresh)  # a new code
        new_device = pos.tokens.load()
        assert new_device is not None and new_device.device_id != old_device.device_id
        report = pos.engine.sync_now()
        assert report.ok and report.accepted == 2
        stored = world.stored()
        assert all(stored[rid]["status"] == "accepted" for rid in held)
        assert {stored[rid]["device_id"] for rid in held[3:]} == {new_device.device_id}
    finally:
        world.stop()
