"""Redeem limits, enforced by the ledger: offline too long, too much unsynced, stale keys or
revocations past the server's policy, and a device the foundation revoked.

The server's config sets the limits (stored by the sync engine under
:data:`POLICIES`); :func:`enforce_redeem_limits` runs inside ``redeem``'s
``BEGIN IMMEDIATE`` transaction, so no caller can go around it. The window
only shows what :func:`current_findings` says. The evaluation itself
(:func:`check_redemption`, :func:`check_freshness`) is pure: figures in, a
finding out. A ledger that never received a server policy (set up by hand)
has no offline limits; a revoked device is refused regardless.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from merchant_pos.store.errors import LedgerError, LedgerErrorId, fill, ledger_message

if TYPE_CHECKING:
    from merchant_pos.store.ledger import Ledger

HOUR = 3600
# Settings the sync engine writes and the ledger reads (merchant_pos.sync.engine).
POLICIES = "sync.policies"
LAST_SUCCESS = "sync.last_success_at"   # everything delivered and confirmed
LAST_CONTACT = "sync.last_contact_at"   # every step ran, perhaps with entries stuck
DEVICE_REVOKED = "sync.device_revoked_at"
TRUST_KIND, REVOCATIONS_KIND = "trust", "revocations"


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
        return fill(ledger_message(LedgerErrorId(self.message_id), language),
                    {k: str(v) for k, v in self.values.items()})

    def error(self) -> LedgerError:
        return LedgerError(LedgerErrorId(self.message_id), ", ".join(
            f"{k}={v}" for k, v in sorted(self.values.items())),
            values={k: str(v) for k, v in self.values.items()})


def _hours(seconds: float) -> str:
    return f"{seconds / HOUR:.0f}"


def _limit(hours: float) -> str:
    return f"{hours:g}"


def yuan(fen: int) -> str:
    """Integer fen as a yuan figure for messages (no float arithmetic)."""
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(fen), 100)
    return f"{sign}{whole}.{part:02d}"


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
            "total": yuan(unsynced_covered_fen + new_covered_fen), "limit": yuan(cap)})
    return None


def check_freshness(
    policy: OfflinePolicy,
    *,
    now: float,
    trust_list_fresh_at: float | None,
    revocations_fresh_at: float | None,
) -> list[PolicyFinding]:
    """Stale keys or revocations, as blocking findings."""
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


# -- the ledger's figures -------------------------------------------------------------------
_UNSYNCED = ("SELECT COALESCE(SUM(r.covered), 0) FROM outbox o JOIN redemptions r"
             " ON r.id = o.entry_id WHERE o.status = 'pending' AND r.status != 'voided'")


@dataclass(frozen=True)
class LimitFigures:
    """What the limits are judged on, read in one transaction."""

    policy: OfflinePolicy | None  # None: no server policy was ever stored
    last_sync_success_at: float | None
    trust_fresh_at: float | None
    revocations_fresh_at: float | None
    device_revoked_at: float | None
    unsynced_covered_fen: int

    def findings(self, now: float, new_covered_fen: int = 0) -> list[PolicyFinding]:
        """Every blocking finding, the most fundamental first."""
        out: list[PolicyFinding] = []
        if self.device_revoked_at is not None:
            out.append(PolicyFinding("device_revoked", True, {}))
        if self.policy is not None:
            offline = check_redemption(self.policy, now=now,
                                       last_sync_success_at=self.last_sync_success_at,
                                       unsynced_covered_fen=self.unsynced_covered_fen,
                                       new_covered_fen=new_covered_fen)
            if offline is not None:
                out.append(offline)
            out += check_freshness(self.policy, now=now,
                                   trust_list_fresh_at=self.trust_fresh_at,
                                   revocations_fresh_at=self.revocations_fresh_at)
        return out


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else None


def read_figures(db: sqlite3.Connection) -> LimitFigures:
    """The figures, inside the caller's transaction (plain SQL: this is redeem's hot path)."""
    settings: dict[str, Any] = {}
    for key, value in db.execute("SELECT key, value FROM settings WHERE key IN (?, ?, ?, ?)",
                                 (POLICIES, LAST_SUCCESS, LAST_CONTACT, DEVICE_REVOKED)):
        try:
            settings[key] = json.loads(value)
        except ValueError:
            settings[key] = None
    fresh = dict(db.execute("SELECT kind, last_fresh_at FROM sync_state WHERE kind IN (?, ?)",
                            (TRUST_KIND, REVOCATIONS_KIND)).fetchall())
    raw_policy = settings.get(POLICIES)
    policy = OfflinePolicy.from_config(raw_policy) if isinstance(raw_policy, dict) else None
    unsynced = 0
    if policy is not None and policy.max_unsynced_covered_fen is not None:
        unsynced = int(db.execute(_UNSYNCED).fetchone()[0])
    # The offline limit counts from the last contact: a sync that ran every step, even
    # with entries stuck (those count toward the unsynced cap and are shown loudly).
    contact = [t for t in (_number(settings.get(LAST_SUCCESS)),
                           _number(settings.get(LAST_CONTACT))) if t is not None]
    return LimitFigures(policy, max(contact) if contact else None,
                        _number(fresh.get(TRUST_KIND)), _number(fresh.get(REVOCATIONS_KIND)),
                        _number(settings.get(DEVICE_REVOKED)), unsynced)


def enforce_redeem_limits(db: sqlite3.Connection, now: int, new_covered_fen: int) -> None:
    """Raise the first blocking finding as a :class:`LedgerError` (nothing is recorded)."""
    findings = read_figures(db).findings(now, new_covered_fen)
    if findings:
        raise findings[0].error()


def current_findings(ledger: Ledger, now: float, new_covered_fen: int = 0
                     ) -> list[PolicyFinding]:
    """What the ledger would refuse now, for the window and the status bar to show."""
    with ledger.read_raw() as db:
        return read_figures(db).findings(now, new_covered_fen)
