"""Retry policy, corrected clock and offline risk policy: pure logic, injected time."""

from __future__ import annotations

import threading

import pytest

from merchant_pos.sync.clock import CorrectedClock
from merchant_pos.sync.errors import AuthError, Cancelled, TransientError
from merchant_pos.sync.offline_policy import (
    OfflinePolicy,
    check_freshness,
    check_redemption,
)
from merchant_pos.sync.retry import (
    RetryLog,
    RetryPolicy,
    call_with_retry,
    event_waiter,
    parse_retry_after,
)

HOUR = 3600


def test_backoff_grows_exponentially_up_to_the_cap_with_full_jitter() -> None:
    top = RetryPolicy(base_delay=0.5, multiplier=2, max_delay=10, random=lambda: 0.999999)
    assert [round(top.delay(i), 2) for i in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0]
    bottom = RetryPolicy(random=lambda: 0.0)
    assert bottom.delay(5) == 0.0


def test_retry_after_is_a_floor_capped_by_policy() -> None:
    policy = RetryPolicy(base_delay=0.5, max_retry_after=30, random=lambda: 0.5)
    assert policy.delay(0, retry_after=7) == 7
    assert policy.delay(0, retry_after=10_000) == 30
    assert policy.delay(10, retry_after=0.1) == pytest.approx(30.0)  # backoff bigger


def test_parse_retry_after_seconds_and_http_date() -> None:
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now=1445412500.0) == 10.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_call_with_retry_retries_transient_and_records_delays() -> None:
    outcomes: list[Exception | str] = [
        TransientError("x"), TransientError("y", retry_after=4), "done"]
    waits: list[float] = []

    def operation() -> str:
        item = outcomes.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    log = RetryLog()
    policy = RetryPolicy(base_delay=1, random=lambda: 0.5)
    result = call_with_retry(operation, policy, lambda s: waits.append(s) or True, log=log)
    assert result == "done"
    assert waits == [0.5, 4] and log.attempts == 3 and log.delays == waits


def test_call_with_retry_stops_at_once_on_auth_error() -> None:
    calls = []

    def operation() -> None:
        calls.append(1)
        raise AuthError(status=401)

    with pytest.raises(AuthError):
        call_with_retry(operation, RetryPolicy(), lambda s: True)
    assert calls == [1]


def test_call_with_retry_gives_up_after_max_attempts() -> None:
    calls = []

    def operation() -> None:
        calls.append(1)
        raise TransientError("down")

    with pytest.raises(TransientError):
        call_with_retry(operation, RetryPolicy(max_attempts=4, random=lambda: 0), lambda s: True)
    assert len(calls) == 4


def test_cancel_event_interrupts_the_backoff_wait() -> None:
    cancel = threading.Event()
    cancel.set()

    def operation() -> None:
        raise TransientError("down")

    with pytest.raises(Cancelled):
        call_with_retry(operation, RetryPolicy(base_delay=3600, random=lambda: 1),
                        event_waiter(cancel))


def test_clock_offset_uses_round_trip_midpoint_and_warns_over_five_minutes() -> None:
    local = [1_000_000.0]
    clock = CorrectedClock(local=lambda: local[0])
    reading = clock.observe(server_time=1_000_400.0, sent_at=999_998.0, received_at=1_000_002.0)
    assert reading.offset == 400.0 and reading.round_trip == 4.0
    assert clock.now() == 1_000_400
    assert clock.skew_warning("en") is not None and "7 minutes" in clock.skew_warning("en")  # type: ignore[operator]
    assert "7 分钟" in clock.skew_warning("zh_CN")  # type: ignore[operator]
    clock.observe(server_time=1_000_240.0, sent_at=1_000_000.0, received_at=1_000_000.0)
    assert clock.skew_warning() is None and clock.now() == 1_000_240


def test_policy_refuses_after_max_offline_hours_with_a_message() -> None:
    policy = OfflinePolicy(max_offline_hours=24)
    now = 100 * HOUR
    assert check_redemption(policy, now=now, last_sync_success_at=now - 23 * HOUR,
                            unsynced_covered_fen=0) is None
    finding = check_redemption(policy, now=now, last_sync_success_at=now - 30 * HOUR,
                               unsynced_covered_fen=0)
    assert finding is not None and finding.blocking
    assert finding.message_id == "offline_too_long"
    assert "30 小时" in finding.message("zh_CN") and "24 小时" in finding.message("zh_CN")
    assert "30 hours" in finding.message("en")
    never = check_redemption(policy, now=now, last_sync_success_at=None, unsynced_covered_fen=0)
    assert never is not None and never.message_id == "never_synced"


def test_policy_refuses_past_the_unsynced_covered_cap() -> None:
    policy = OfflinePolicy(max_offline_hours=None, max_unsynced_covered_fen=50_000)
    ok = check_redemption(policy, now=0, last_sync_success_at=None,
                          unsynced_covered_fen=40_000, new_covered_fen=10_000)
    assert ok is None
    refused = check_redemption(policy, now=0, last_sync_success_at=None,
                               unsynced_covered_fen=40_000, new_covered_fen=10_001)
    assert refused is not None and refused.message_id == "unsynced_cap"
    assert "500.01" in refused.message("en") and "500.00" in refused.message("zh_CN")


def test_stale_keys_and_revocations_are_findings() -> None:
    policy = OfflinePolicy(max_trust_list_age_hours=48, max_revocations_age_hours=24)
    now = 1000 * HOUR
    findings = check_freshness(policy, now=now, trust_list_fresh_at=now - 50 * HOUR,
                               revocations_fresh_at=now - 1 * HOUR)
    assert [f.message_id for f in findings] == ["stale_trust_list"]
    assert "50" in findings[0].message("en")
    assert check_freshness(policy, now=now, trust_list_fresh_at=now,
                           revocations_fresh_at=now) == []
    assert len(check_freshness(policy, now=now, trust_list_fresh_at=None,
                               revocations_fresh_at=None)) == 2


def test_policy_from_server_config() -> None:
    policy = OfflinePolicy.from_config({"max_offline_hours": 12,
                                        "max_unsynced_covered_fen": 300_000, "other": "x"})
    assert policy.max_offline_hours == 12 and policy.max_unsynced_covered_fen == 300_000
    assert policy.max_trust_list_age_hours == policy.max_revocations_age_hours == 12
    assert OfflinePolicy.from_config({}).max_offline_hours is None
