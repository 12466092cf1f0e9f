"""Idempotent enrollment against the real server through a fault-injecting proxy: a lost
answer after the server committed, then a retry, enrolls the same device; 429 and 5xx
are retried; the code comes from a flag, stdin or a prompt, never only from argv."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import pytest
import requests
from keyring.backends import fail
from sqlalchemy import select

from merchant_pos.cli import main
from merchant_pos.server.schema import devices, enrollment_codes
from merchant_pos.sync.enrollment import ENROLL_REQUEST, EnrollmentFailed
from merchant_pos.sync.retry import RetryPolicy
from tests.sync.faultproxy import Fault, FaultPlan, FaultProxy
from tests.sync.world import PosDevice, ServerWorld


@pytest.fixture(autouse=True)
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def _devices(world: ServerWorld) -> list[str]:
    with world.engine.connect() as conn:
        return [r.id for r in conn.execute(select(devices.c.id)).all()]


def test_a_lost_answer_after_commit_then_the_retry_enrolls_the_same_device(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    pos = make_pos()
    code = world.enrollment_code()
    plan = FaultPlan()
    plan.force(Fault.RESPONSE_LOST_AFTER_COMMIT, times=3)  # the server commits, 3 times lost
    with FaultProxy(world.server.port, plan) as proxy:
        done = pos.enroll(proxy.url, code)
    assert plan.injected[Fault.RESPONSE_LOST_AFTER_COMMIT] == 3 and len(pos.enroll_waits) == 3
    assert _devices(world) == [done.device_id]  # one device, not a burnt code
    assert pos.sync_ledger.get_setting(ENROLL_REQUEST) is None  # done: forgotten
    token = pos.tokens.load()
    assert token is not None and token.device_id == done.device_id
    pos.tokens.save(type(token)(world.url, token.device_id, token.secret))
    assert pos.engine.sync_now().ok  # the token the retry got is the real one


def test_the_request_id_survives_a_restart_and_a_spent_answer_is_not_repeated(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    pos = make_pos()
    code = world.enrollment_code()
    plan = FaultPlan()
    plan.force(Fault.RESPONSE_LOST_AFTER_COMMIT, times=2)
    with FaultProxy(world.server.port, plan) as proxy:
        with pytest.raises(EnrollmentFailed):  # gave up after 2 lost answers
            pos.enroll(proxy.url, code, retry=RetryPolicy(max_attempts=2))
        stored = pos.sync_ledger.get_setting(ENROLL_REQUEST)
        assert stored is not None and stored["server"] == proxy.url
        assert code not in str(stored)  # the code itself is not kept
        pos.close()
        pos = make_pos()  # the program was restarted: same data folder
        done = pos.enroll(proxy.url, code)  # the same code again: same request id
    assert _devices(world) == [done.device_id]
    token = pos.tokens.load()
    assert token is not None
    pos.tokens.save(type(token)(world.url, token.device_id, token.secret))
    assert pos.engine.sync_now().ok
    # Once the device synced, the same request is answered "already used": the server
    # no longer holds the token to repeat, and nobody else gets it.
    again = requests.post(f"{world.url}/v1/devices/enroll", timeout=10, json={
        "code": code, "name": "x", "request_id": stored["id"]})
    assert again.status_code == 409 and again.json()["error"] == "enrollment_code_used"
    with world.engine.connect() as conn:
        assert conn.scalar(select(enrollment_codes.c.token_sealed)) is None


def test_another_request_with_a_used_code_gets_nothing(world: ServerWorld) -> None:
    code = world.enrollment_code()
    first = requests.post(f"{world.url}/v1/devices/enroll", timeout=10, json={
        "code": code, "name": "a", "request_id": "A" * 32})
    assert first.status_code == 201
    same = requests.post(f"{world.url}/v1/devices/enroll", timeout=10, json={
        "code": code, "name": "a", "request_id": "A" * 32})
    assert same.status_code == 201 and same.json() == {**first.json(),
                                                       "server_time": same.json()["server_time"]}
    for other in ({"request_id": "B" * 32}, {}):
        r = requests.post(f"{world.url}/v1/devices/enroll", timeout=10,
                          json={"code": code, "name": "a", **other})
        assert r.status_code == 409, other
    assert len(_devices(world)) == 1


def test_busy_server_and_rate_limits_are_retried(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    pos = make_pos()
    plan = FaultPlan()
    plan.force(Fault.HTTP_503)
    plan.force(Fault.RATE_LIMITED_429)
    plan.force(Fault.HTTP_500)  # forwarded: the server committed, the answer is a 500
    with FaultProxy(world.server.port, plan) as proxy:
        done = pos.enroll(proxy.url, world.enrollment_code())
    assert len(pos.enroll_waits) == 3 and _devices(world) == [done.device_id]


def test_a_server_that_stays_busy_says_to_try_later_with_the_same_code(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    pos = make_pos()
    plan = FaultPlan()
    plan.force(Fault.HTTP_503, times=4)
    code = world.enrollment_code()
    with FaultProxy(world.server.port, plan) as proxy, \
            pytest.raises(EnrollmentFailed) as caught:
        pos.enroll(proxy.url, code)
    assert caught.value.message_id == "enroll_try_later"
    assert "same code" in caught.value.message("en") and "同一个登记码" in \
        caught.value.message("zh_CN")
    assert len(pos.enroll_waits) == 3  # bounded: 4 attempts, then the clerk is told
    assert pos.enroll(world.url, code).device_id  # and the same code still works


def test_the_code_from_stdin_or_a_prompt(
    world: ServerWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(world.enrollment_code() + "\n"))
    data = str(tmp_path / "piped")
    assert main(["enroll", "--server", world.url, "--code", "-", "--data-dir", data,
                 "--no-sync", "--lang", "en"]) == 0
    assert "enrolled for" in capsys.readouterr().out

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True
    asked: list[str] = []
    code = world.enrollment_code()
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or code)
    assert main(["enroll", "--server", world.url, "--data-dir", str(tmp_path / "typed"),
                 "--no-sync", "--lang", "zh_CN"]) == 0
    assert asked == ["请输入登记码："]
    assert len(_devices(world)) == 2
