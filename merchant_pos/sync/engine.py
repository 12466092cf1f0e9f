"""The sync engine: push the outbox exactly once, pull config, keys, revocations,
usage and outcomes, keep the corrected clock and the offline policy.

One sync at a time (a lock); :meth:`SyncEngine.sync_now` is safe to call from
any thread and stops at the next safe point when its ``cancel`` event is set:
between batches and pages, or during a backoff wait. Local changes are only
ever made in the same transaction as the bookkeeping that records them, so a
cancel, a crash or a kill -9 loses nothing and repeats nothing the server has
not already deduplicated by UUID.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from merchant_pos.store import redeem_limits
from merchant_pos.store.errors import LedgerError
from merchant_pos.sync import messages, server_api
from merchant_pos.sync.clock import CorrectedClock
from merchant_pos.sync.errors import (
    AuthError,
    Cancelled,
    CertificateError,
    LocalLedgerError,
    NotEnrolled,
    SyncError,
    TransientError,
)
from merchant_pos.sync.http_client import ApiClient
from merchant_pos.sync.ledger_port import SyncLedger
from merchant_pos.sync.offline_policy import OfflinePolicy, PolicyFinding
from merchant_pos.sync.push import OutboxPusher
from merchant_pos.sync.push_process import CHILD_MIN_PENDING, push_in_child
from merchant_pos.sync.report import ConnectionState, SyncReport, SyncStatus
from merchant_pos.sync.retry import RetryPolicy, call_with_retry
from merchant_pos.sync.token_rotation import rotation_due, take_successor
from merchant_pos.sync.token_store import TokenStore

log = logging.getLogger(__name__)
T = TypeVar("T")
Sleep = Callable[[float, threading.Event], bool]
"""``sleep(seconds, cancel) -> False if cancelled``; injectable so tests need not wait."""

# The ledger reads these to enforce the offline limits (merchant_pos.store.redeem_limits).
LAST_SUCCESS = redeem_limits.LAST_SUCCESS   # everything delivered and confirmed
LAST_CONTACT = redeem_limits.LAST_CONTACT   # every step ran, perhaps with entries stuck
DEVICE_REVOKED = redeem_limits.DEVICE_REVOKED  # set while the server says "revoked"
CLOCK_OFFSET = "sync.clock_offset"
CONNECTION_STATE = "sync.connection_state"
LAST_ERROR = "sync.last_error"
CA_BUNDLE = "sync.ca_bundle"
INSECURE_HTTP = "sync.insecure_http"  # enrolled with --insecure-http (lab use only)
POLICIES = redeem_limits.POLICIES
SERVER_URL = "sync.server_url"   # not secret: shown in the status; the token is elsewhere
DEVICE_ID = "sync.device_id"
SERVER_FLAGS = "sync.server_flags"   # the server's open flags on this device (issue 11)
AUDIT_BATCH = 2000


def event_sleep(seconds: float, cancel: threading.Event) -> bool:
    return not cancel.wait(seconds)


class SyncEngine:
    """Qt-free; a UI worker calls :meth:`sync_now` off the UI thread."""

    def __init__(
        self,
        ledger: SyncLedger,
        tokens: TokenStore,
        *,
        clock: CorrectedClock | None = None,
        retry: RetryPolicy | None = None,
        sleep: Sleep = event_sleep,
        batch_size: int = 200,
        page_size: int = 500,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        on_progress: Callable[[str, int], None] | None = None,
        push_process: bool = False,
    ) -> None:
        self.ledger = ledger
        # a large backlog is pushed from a child process (see sync.push_process)
        self.push_process = push_process
        self.child_min_pending = CHILD_MIN_PENDING
        self.child_pushes = 0  # pushes a child process finished
        self.tokens = tokens
        self.clock = clock or CorrectedClock()
        offset = ledger.get_setting(CLOCK_OFFSET)
        if isinstance(offset, (int, float)) and not isinstance(offset, bool):
            self.clock.restore(float(offset))
        self.retry = retry or RetryPolicy(max_attempts=6)
        self.sleep = sleep
        self.batch_size = batch_size
        self.page_size = page_size
        self.timeouts = (connect_timeout, read_timeout)
        self.on_progress = on_progress
        self._running = threading.Lock()

    # -- the sync ----------------------------------------------------------------------
    def sync_now(self, cancel: threading.Event | None = None) -> SyncReport:
        """Run one full sync; returns at once (``skipped``) if one is already running."""
        cancel = cancel or threading.Event()
        report = SyncReport(started_at=self.clock.now())
        if not self._running.acquire(blocking=False):
            report.skipped = True
            return report
        client: ApiClient | None = None
        try:
            token = self.tokens.load()
            if token is None:
                raise NotEnrolled()
            client = ApiClient(token.server_url, token=token.secret,
                               ca_bundle=self.ledger.get_setting(CA_BUNDLE),
                               connect_timeout=self.timeouts[0],
                               read_timeout=self.timeouts[1], clock=self.clock.local_time,
                               insecure_http=self.ledger.get_setting(INSECURE_HTTP) is True)
            api = server_api.ServerApi(client)
            self._set_state(ConnectionState.RUNNING, None)
            config = self._pull_config(api, cancel, report)
            if rotation_due(config):
                take_successor(self.tokens, client, token,
                               self._call(api.rotate_token, cancel, report))
            self._anchor_audit(api, cancel, report)
            self._push(api, cancel, report)
            self._pull_trust_list(api, cancel, report)
            for kind, path, apply in (
                ("revocations", server_api.REVOCATIONS, self._apply_revocations),
                ("usage", server_api.USAGE, self.ledger.apply_usage_page),
                ("outcomes", server_api.OUTCOMES, self._apply_outcomes(report)),
            ):
                report.pulled[kind] = self._pull_pages(api, kind, path, apply, cancel, report)
        except Cancelled:
            report.cancelled = True
        except SyncError as exc:
            report.error = exc
        except LedgerError as exc:
            report.error = LocalLedgerError(exc)
        finally:
            try:
                if client is not None:
                    report.http_calls, report.http_seconds = client.calls, client.busy_seconds
                    client.close()
                report.finished_at = self.clock.now()
                self._finish(report)
            except LedgerError:
                log.exception("could not record the sync result")
            finally:
                self._running.release()
        return report

    def _finish(self, report: SyncReport) -> None:
        if report.completed:
            # The server heard all this counter has: the offline limit counts from here;
            # "last success" moves only when nothing is left pending or stuck.
            self.ledger.set_setting(LAST_CONTACT, report.finished_at)
            self.ledger.set_setting(DEVICE_REVOKED, None)  # the server took our token
        if report.ok:
            self.ledger.set_setting(LAST_SUCCESS, report.finished_at)
            self.ledger.reset_trusted_time(self.clock.now())
            self._set_state(ConnectionState.IDLE, None)
        elif report.completed:
            self._set_state(ConnectionState.STUCK, "sync_stuck_state")
        elif report.cancelled:
            self._set_state(ConnectionState.IDLE, None)
        elif report.error is not None:
            self._set_state(_state_for(report.error), report.error.message_id)
            if report.error.message_id == "device_revoked":
                self.ledger.set_setting(DEVICE_REVOKED, report.finished_at)
        log.info("sync %s: pushed %d (accepted %d, duplicates %d, conflicts %d, rejected %d, "
                 "stuck %d), pulled %s, %d retries, %d HTTP calls, error %s",
                 "ok" if report.ok else "cancelled" if report.cancelled
                 else "stuck" if report.completed else "failed",
                 report.pushed, report.accepted, report.duplicates, report.conflicts,
                 report.rejected, report.stuck, report.pulled, report.retries,
                 report.http_calls, report.error.message_id if report.error else None)
        self.ledger.record_attempt("sync", report.finished_at, None if report.ok else (
            report.error.message_id if report.error else
            "cancelled" if report.cancelled else "sync_stuck"))
        # Push results are audited by the outbox itself; here: results that changed
        # later, and failures the clerk must act on (not every offline attempt).
        if report.outcome_changes or report.stuck \
                or isinstance(report.error, (AuthError, CertificateError)):
            self.ledger.record_sync_result(report.finished_at, {
                "ok": report.ok, "pushed": report.pushed, "accepted": report.accepted,
                "duplicates": report.duplicates, "conflicts": report.conflicts,
                "rejected": report.rejected, "errors": report.errors,
                "stuck": report.stuck, "left_pending": report.left_pending,
                "outcome_changes": report.outcome_changes,
                "error": report.error.message_id if report.error else None})

    def _call(self, operation: Callable[[], T], cancel: threading.Event,
              report: SyncReport,
              on_failure: Callable[[TransientError], None] | None = None) -> T:
        if cancel.is_set():
            raise Cancelled()

        def noted(exc: TransientError, delay: float) -> None:
            report.retries += 1
            report.retry_delays.append(delay)
            log.info("sync retry in %.2fs after %s", delay, exc)
            if on_failure is not None:
                on_failure(exc)

        return call_with_retry(operation, self.retry, lambda s: self.sleep(s, cancel),
                               on_retry=noted)

    def _push(self, api: server_api.ServerApi, cancel: threading.Event,
              report: SyncReport) -> None:
        batch = min(self.batch_size, self.ledger.limits().push_items)
        token = self.tokens.load()  # after a rotation: the successor
        if self.push_process and token is not None \
                and self.ledger.pending_count() >= self.child_min_pending:
            spec = {"ledger": str(self.ledger.ledger.path), "url": token.server_url,
                    "secret": token.secret, "ca_bundle": self.ledger.get_setting(CA_BUNDLE),
                    "insecure": self.ledger.get_setting(INSECURE_HTTP) is True,
                    "timeouts": list(self.timeouts), "batch": batch,
                    "offset": self.clock.offset}
            if push_in_child(spec, cancel, report, self._progress, self.clock.observe):
                self.child_pushes += 1
                return
        OutboxPusher(self.ledger, call=self._call, observe_clock=self._observe_clock,
                     now=self.clock.now, batch_size=batch,
                     progress=self._progress).push(api, cancel, report)

    def _progress(self, step: str, count: int) -> None:
        if self.on_progress is not None:
            self.on_progress(step, count)

    # -- pulls ---------------------------------------------------------------------------
    def _pull_config(self, api: server_api.ServerApi, cancel: threading.Event,
                     report: SyncReport) -> dict[str, Any]:
        timed = self._call(api.config, cancel, report)
        self._observe_clock(timed)
        self.ledger.save_config(timed.body)
        report.pulled["config"] = 1
        body: dict[str, Any] = timed.body
        return body

    def _pull_trust_list(self, api: server_api.ServerApi, cancel: threading.Event,
                         report: SyncReport) -> None:
        timed = self._call(api.trust_list, cancel, report)
        self.ledger.replace_trust_list(timed.body["keys"])
        report.pulled["trust"] = len(timed.body["keys"])

    def _apply_revocations(self, items: Sequence[dict[str, Any]], cursor: str) -> None:
        self.ledger.apply_revocations_page(items, cursor)

    def _apply_outcomes(self, report: SyncReport
                        ) -> Callable[[Sequence[dict[str, Any]], str], None]:
        def apply(items: Sequence[dict[str, Any]], cursor: str) -> None:
            report.outcome_changes += self.ledger.apply_outcomes_page(items, cursor)
        return apply

    def _pull_pages(self, api: server_api.ServerApi, kind: str, path: str,
                    apply: Callable[[Sequence[dict[str, Any]], str], Any],
                    cancel: threading.Event, report: SyncReport) -> int:
        cursor = self.ledger.cursor(kind)
        total = 0
        while True:
            page = self._call(functools.partial(api.page, path, cursor, self.page_size),
                              cancel, report)
            apply(page.items, page.cursor)  # the cursor is stored with the page
            total += len(page.items)
            self._progress(kind, total)
            if not page.more or (not page.items and page.cursor == cursor):
                return total
            cursor = page.cursor

    def _anchor_audit(self, api: server_api.ServerApi, cancel: threading.Event,
                      report: SyncReport) -> None:
        """Send every audit row from the head the server acknowledged (that row too, so it
        can see it unchanged), before the push: each pushed item finds its row there."""
        seq, head = self.ledger.audit_head()
        acked = self._call(api.acknowledged_audit_head, cancel, report)
        if seq == 0 and acked is None:
            return
        start = max(1, min(acked or 1, seq))
        while True:
            rows = self.ledger.audit_rows_from(start, AUDIT_BATCH)
            last_seq, last_hash = (rows[-1]["seq"], rows[-1]["hash"]) if rows else (seq, head)
            timed = self._call(functools.partial(api.upload_audit, rows, last_seq, last_hash,
                                                 self.clock.now()), cancel, report)
            flags = [{"kind": f.get("kind"), "ref": f.get("ref"), "raised_at": f.get("raised_at")}
                     for f in timed.body["flags"] if isinstance(f, dict)]
            self.ledger.set_setting(SERVER_FLAGS, flags)
            if len(rows) < AUDIT_BATCH or last_seq >= seq:
                return
            start = last_seq  # the next batch repeats the acknowledged row

    def _observe_clock(self, timed: server_api.Timed) -> None:
        if timed.server_time is None:
            return
        reading = self.clock.observe(timed.server_time, timed.sent_at, timed.received_at)
        stored = self.ledger.get_setting(CLOCK_OFFSET)
        if not isinstance(stored, (int, float)) or abs(stored - reading.offset) >= 1:
            self.ledger.set_setting(CLOCK_OFFSET, round(reading.offset))

    def _set_state(self, state: ConnectionState, error: str | None) -> None:
        self.ledger.set_setting(CONNECTION_STATE, state.value)
        self.ledger.set_setting(LAST_ERROR, error)

    # -- what the UI asks ------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._running.locked()

    def policy(self) -> OfflinePolicy:
        stored = self.ledger.get_setting(POLICIES)
        return OfflinePolicy.from_config(stored) if isinstance(stored, dict) else OfflinePolicy()

    def check_redemption(self, new_covered_fen: int = 0) -> PolicyFinding | None:
        """Whether a new redemption may be recorded now (None) or why not: what the
        ledger's ``redeem`` would refuse (it enforces this; the window only shows it).
        The offline limit counts from the last contact (a sync that ran every step, even
        with entries stuck: those count toward the unsynced cap instead). When entries
        the server refuses are part of the unsynced amount that blocks, it says so:
        stuck entries never block new redemptions silently."""
        findings = redeem_limits.current_findings(self.ledger.ledger, self.clock.now(),
                                                  new_covered_fen)
        finding = findings[0] if findings else None
        if finding is not None and finding.message_id == "unsynced_cap":
            stuck = self.ledger.stuck_count()
            if stuck:
                return PolicyFinding("unsynced_cap_stuck", True,
                                     {**finding.values, "stuck": stuck})
        return finding

    def status(self, language: str = "zh_CN") -> SyncStatus:
        """Reads the ledger only (never the keyring or the network): safe to call from
        the UI thread."""
        server_url = self.ledger.get_setting(SERVER_URL)
        states = self.ledger.states()
        fresh = {kind: (states[kind].last_fresh_at if kind in states else None)
                 for kind in ("config", "trust", "revocations", "usage", "outcomes", "push")}
        now = self.clock.now()
        stored_state = self.ledger.get_setting(CONNECTION_STATE)
        known = {s.value for s in ConnectionState}
        if self.running:
            state = ConnectionState.RUNNING
        elif server_url is None:
            state = ConnectionState.NOT_ENROLLED
        else:
            state = ConnectionState(stored_state if stored_state in known else "idle")
        last_error = self.ledger.get_setting(LAST_ERROR)
        stored_flags = self.ledger.get_setting(SERVER_FLAGS)
        flags = stored_flags if isinstance(stored_flags, list) else []
        return SyncStatus(
            state=state, running=self.running,
            server_url=server_url,
            device_id=self.ledger.get_setting(DEVICE_ID),
            last_success_at=self.ledger.get_setting(LAST_SUCCESS),
            fresh_at=fresh,
            pending_entries=self.ledger.pending_count(),
            unsynced_covered_fen=self.ledger.unsynced_covered(),
            conflicts=len(self.ledger.conflicts()),
            stuck_entries=self.ledger.stuck_count(),
            clock_offset_seconds=self.clock.offset,
            clock_warning=self.clock.skew_warning(language),
            redemption_block=self.check_redemption(),
            stale_findings=[f for f in redeem_limits.current_findings(self.ledger.ledger, now)
                            if f.message_id.startswith("stale_")],
            last_error=_error_text(last_error, language),
            server_flags=len(flags),
            server_flag_warning=messages.text("device_flagged", language, count=len(flags))
            if flags else None,
        )


def _state_for(error: SyncError) -> ConnectionState:
    if isinstance(error, NotEnrolled):
        return ConnectionState.NOT_ENROLLED
    if isinstance(error, AuthError):
        return ConnectionState.REENROLL_NEEDED
    if isinstance(error, CertificateError):
        return ConnectionState.CERTIFICATE_ERROR
    if isinstance(error, TransientError):
        return ConnectionState.OFFLINE
    return ConnectionState.REFUSED


def _error_text(message_id: Any, language: str) -> str | None:
    from merchant_pos.sync import messages
    if not isinstance(message_id, str) or message_id not in messages.MESSAGES:
        return None
    try:
        return messages.text(message_id, language)
    except KeyError:  # a message with figures: show it without them
        return messages.MESSAGES[message_id].get(language, message_id).split("{")[0].strip()
