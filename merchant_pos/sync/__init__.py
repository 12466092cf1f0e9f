"""Sync engine: the HTTP client, retries, corrected clock, offline policy, token store,
enrollment and the engine itself. No Qt here; a thin worker in ``ui/`` drives it.

For the app and the UI::

    clock = CorrectedClock()
    ledger = Ledger.open(data_dir, clock=clock.now)      # the ledger uses the corrected clock
    engine = build_engine(ledger, clock, data_dir=data_dir)
    enroll_device(engine.ledger, engine.tokens, url, code, "counter 1")  # once
    scheduler = SyncScheduler(engine, interval_seconds=300, on_report=...)
    scheduler.start(); scheduler.request_sync(); scheduler.stop(timeout=10)
    engine.check_redemption(quote.covered)   # None, or a PolicyFinding to show and refuse
    engine.status("zh_CN")                   # SyncStatus for the status bar
    engine.ledger.conflicts()                # ConflictView list (.message(language))
"""

from merchant_pos.sync.clock import CorrectedClock
from merchant_pos.sync.engine import SyncEngine
from merchant_pos.sync.enrollment import Enrollment, EnrollmentFailed, enroll_device
from merchant_pos.sync.errors import (
    AuthError,
    CertificateError,
    NotEnrolled,
    RequestRefused,
    SyncError,
    TransientError,
)
from merchant_pos.sync.ledger_port import ConflictView, SyncLedger
from merchant_pos.sync.offline_policy import OfflinePolicy, PolicyFinding
from merchant_pos.sync.report import ConnectionState, SyncReport, SyncStatus
from merchant_pos.sync.retry import RetryPolicy
from merchant_pos.sync.scheduler import SyncScheduler
from merchant_pos.sync.token_store import DeviceToken, TokenStore
from merchant_pos.sync.wiring import build_engine, token_store_for

__all__ = [
    "AuthError", "CertificateError", "ConflictView", "ConnectionState", "CorrectedClock",
    "DeviceToken", "Enrollment", "EnrollmentFailed", "NotEnrolled", "OfflinePolicy",
    "PolicyFinding", "RequestRefused", "RetryPolicy", "SyncEngine", "SyncError", "SyncLedger",
    "SyncReport", "SyncScheduler", "SyncStatus", "TokenStore", "TransientError",
    "build_engine", "enroll_device", "token_store_for",
]
