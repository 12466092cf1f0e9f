"""What a sync did and where things stand, in forms the UI can show directly."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from merchant_pos.sync import messages
from merchant_pos.sync.errors import SyncError
from merchant_pos.sync.offline_policy import PolicyFinding

PULL_KINDS = ("config", "trust", "revocations", "usage", "outcomes")


class ConnectionState(StrEnum):
    NOT_ENROLLED = "not_enrolled"
    IDLE = "idle"                        # last sync succeeded
    RUNNING = "running"
    OFFLINE = "offline"                  # last sync hit network/server trouble; will retry
    REENROLL_NEEDED = "reenroll_needed"  # 401/403: stop until enrolled again
    CERTIFICATE_ERROR = "certificate_error"
    REFUSED = "refused"                  # the server refused a request (4xx)
    STUCK = "stuck"                      # synced, but the server will not take some entries


@dataclass
class SyncReport:
    """The outcome of one :meth:`SyncEngine.sync_now`."""

    started_at: int
    finished_at: int = 0
    skipped: bool = False          # another sync was already running
    cancelled: bool = False
    error: SyncError | None = None
    pushed: int = 0                # entries answered by the server this run
    accepted: int = 0
    duplicates: int = 0
    conflicts: int = 0
    rejected: int = 0
    errors: int = 0                # entries the server cannot take (kept, shown)
    left_pending: int = 0          # entries this sync should have delivered and did not
    stuck: int = 0                 # entries the server will not take (kept, shown, exported)
    pulled: dict[str, int] = field(default_factory=dict)
    outcome_changes: int = 0       # earlier redemptions whose result changed (e.g. conflict)
    retries: int = 0
    retry_delays: list[float] = field(default_factory=list)
    http_calls: int = 0
    http_seconds: float = 0.0      # wall time spent inside HTTP calls

    @property
    def completed(self) -> bool:
        """Every step ran and the server answered (some entries may still be stuck)."""
        return self.error is None and not self.cancelled and not self.skipped

    @property
    def ok(self) -> bool:
        """Completed, and nothing is left pending or in error: only then "all confirmed"."""
        return self.completed and self.left_pending == 0 and self.errors == 0 \
            and self.stuck == 0

    def message(self, language: str = "zh_CN") -> str:
        if self.error is not None:
            return self.error.message(language)
        if self.cancelled:
            return messages.text("sync_cancelled", language)
        if not self.ok:
            return messages.text("sync_stuck", language, pushed=self.pushed,
                                 count=max(self.stuck, self.left_pending, self.errors))
        text = messages.text("sync_ok", language, pushed=self.pushed)
        flagged = self.conflicts + self.outcome_changes
        if flagged:
            text += "\n" + messages.text("sync_conflicts", language, count=flagged)
        return text


@dataclass
class SyncStatus:
    """Where things stand, for the status bar and the sync panel."""

    state: ConnectionState
    running: bool
    server_url: str | None
    device_id: str | None
    last_success_at: int | None
    fresh_at: dict[str, int | None]
    pending_entries: int
    unsynced_covered_fen: int
    conflicts: int
    stuck_entries: int             # the server will not take them: the clerk must look
    clock_offset_seconds: float
    clock_warning: str | None
    redemption_block: PolicyFinding | None
    stale_findings: list[PolicyFinding]
    last_error: str | None
    server_flags: int = 0                 # the server's open flags on this device (issue 11)
    server_flag_warning: str | None = None
