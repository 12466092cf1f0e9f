"""The offline risk policy: when a POS must stop redeeming until it syncs.

The server's config sets the limits; this module only decides, from figures
the caller supplies (corrected now, last successful sync, unsynced covered
total), so it is pure and testable without a clock or a database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from merchant_pos.sync import messages

HOUR = 3600


@dataclass(frozen=True)
class OfflinePolicy:
    """Limits; ``None`` means no limit of that kind."""

    max_offline_hours: float | None = 72.0
    max_unsynced_covered_fen: int | None = None
    max_trust_list_age_hours: float | None = None
    max_revocations_age_hours: float | None = None

    @classmethod
    def from_config(cls, policy: Mapping[str, Any]) -> OfflinePolicy:
        """Read the policy block of the server's config (unknown keys ignored)."""
        def number(*names: str) -> float | None:
            for name in names:
                value = policy.get(name)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    return float(value)
            return None

        cap = number("max_unsynced_covered_fen", "max_unsynced_covered", "unsynced_cap_fen")
        offline = number("max_offline_hours", "max_hours_offline")
        # Keys and revocations older than the offline limit are stale too, unless the
        # server sets their own limits.
        return cls(
            max_offline_hours=offline,
            max_unsynced_covered_fen=None if cap is None else int(cap),
            max_trust_list_age_hours=number("max_trust_list_age_hours",
                                            "max_keys_age_hours") or offline,
            max_revocations_age_hours=number("max_revocations_age_hours") or offline,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "max_offline_hours": self.max_offline_hours,
            "max_unsynced_covered_fen": self.max_unsynced_covered_fen,
            "max_trust_list_age_hours": self.max_trust_list_age_hours,
            "max_revocations_age_hours": self.max_revocations_age_hours,
        }


@dataclass(frozen=True)
class PolicyFinding:
    """Why redemptions are refused (``blocking``) or a warning to show."""

    message_id: str
    blocking: bool
    values: Mapping[str, Any]

    def message(self, language: str = "zh_CN") -> str:
        return messages.text(self.message_id, language, **self.values)


def _hours(seconds: float) -> str:
    return f"{seconds / HOUR:.0f}"


def _limit(hours: float) -> str:
    return f"{hours:g}"


def check_redemption(
    policy: OfflinePolicy,
    *,
    now: float,
    last_sync_success_at: float | None,
    unsynced_covered_fen: int,
    new_covered_fen: int = 0,
) -> PolicyFinding | None:
    """Whether a new redemption covering ``new_covered_fen`` may go ahead.

    Returns the refusal, or ``None`` when it may. ``unsynced_covered_fen`` is
    this device's covered total not yet accepted by the server.
    """
    if policy.max_offline_hours is not None:
        if last_sync_success_at is None:
            return PolicyFinding("never_synced", True, {})
        offline = now - last_sync_success_at
        if offline > policy.max_offline_hours * HOUR:
            return PolicyFinding("offline_too_long", True, {
                "hours": _hours(offline), "limit": _limit(policy.max_offline_hours)})
    cap = policy.max_unsynced_covered_fen
    if cap is not None and unsynced_covered_fen + new_covered_fen > cap:
        return PolicyFinding("unsynced_cap", True, {
            "total": messages.yuan(unsynced_covered_fen + new_covered_fen),
            "limit": messages.yuan(cap)})
    return None


def check_freshness(
    policy: OfflinePolicy,
    *,
    now: float,
    trust_list_fresh_at: float | None,
    revocations_fresh_at: float | None,
) -> list[PolicyFinding]:
    """Stale keys or revocations, as blocking findings (shown like the others)."""
    findings: list[PolicyFinding] = []
    for message_id, fresh_at, limit in (
        ("stale_trust_list", trust_list_fresh_at, policy.max_trust_list_age_hours),
        ("stale_revocations", revocations_fresh_at, policy.max_revocations_age_hours),
    ):
        if limit is None:
            continue
        if fresh_at is None:
            findings.append(PolicyFinding(message_id, True, {"hours": "∞", "limit": _limit(limit)}))
        elif now - fresh_at > limit * HOUR:
            findings.append(PolicyFinding(message_id, True, {
                "hours": _hours(now - fresh_at), "limit": _limit(limit)}))
    return findings
