"""Device enrollment: server URL + one-time code → device id and token (kept in the
keyring or the user-only file, never in the database, a config file or a log)."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

from merchant_pos.domain.limits import LIMITS
from merchant_pos.store.receipt_numbers import DEVICE_NUMBER, INSTALL_ID, new_install_id
from merchant_pos.sync import messages
from merchant_pos.sync.clock import CorrectedClock
from merchant_pos.sync.engine import (
    CA_BUNDLE,
    CONNECTION_STATE,
    DEVICE_ID,
    INSECURE_HTTP,
    LAST_ERROR,
    SERVER_URL,
)
from merchant_pos.sync.errors import RequestRefused, SyncError, TransientError
from merchant_pos.sync.http_client import (
    ApiClient,
    InvalidServerUrl,
    check_transport,
    normalise_server_url,
)
from merchant_pos.sync.ledger_port import SyncLedger
from merchant_pos.sync.retry import RetryPolicy, Waiter, call_with_retry
from merchant_pos.sync.server_api import ServerApi
from merchant_pos.sync.token_store import DeviceToken, TokenStore

FEED_KINDS = ("revocations", "usage", "outcomes")

WRONG_CODE_ERRORS = frozenset({"enrollment_code_unknown", "invalid_request"})
SPENT_CODE_ERRORS = frozenset({"enrollment_code_expired", "enrollment_code_used"})


class EnrollmentFailed(SyncError):
    """Enrollment did not happen; ``message(language)`` says why and what to do."""

    def __init__(self, message_id: str, detail: str = "", **values: Any) -> None:
        super().__init__(detail, **values)
        self.message_id = message_id


@dataclass(frozen=True)
class Enrollment:
    server_url: str
    device_id: str
    merchant_id: str
    merchant_name: str
    stored_in: str  # "keyring" or "file"

    def message(self, language: str = "zh_CN") -> str:
        return messages.text("enroll_ok", language, merchant=self.merchant_name)


ENROLL_REQUEST = "sync.enroll_request"  # stored before the first attempt, cleared after
ENROLL_RETRY = RetryPolicy(base_delay=1.0, max_delay=8.0, max_retry_after=30.0, max_attempts=7)
"""Network errors, 429 and 5xx are retried, about half a minute of waiting at most."""


def enrollment_request_id(ledger: SyncLedger, server_url: str, code: str) -> str:
    """This enrollment's request id, stored before the first attempt: a retry of the same
    code at the same server (answer lost, program restarted) sends the same id, so the
    server can answer it with the same device and token instead of "already used"."""
    code_hash = hashlib.sha256(code.encode()).hexdigest()
    stored = ledger.get_setting(ENROLL_REQUEST)
    if isinstance(stored, dict) and stored.get("server") == server_url \
            and stored.get("code") == code_hash and isinstance(stored.get("id"), str):
        return str(stored["id"])
    request_id = secrets.token_urlsafe(24)
    ledger.set_setting(ENROLL_REQUEST, {"id": request_id, "server": server_url,
                                        "code": code_hash})
    return request_id


def enroll_device(
    ledger: SyncLedger,
    tokens: TokenStore,
    server_url: str,
    code: str,
    device_name: str,
    *,
    ca_bundle: str | None = None,
    clock: CorrectedClock | None = None,
    connect_timeout: float = 5.0,
    read_timeout: float = 15.0,
    insecure_http: bool = False,
    retry: RetryPolicy | None = None,
    wait: Waiter | None = None,
) -> Enrollment:
    """Enroll this POS; raises :class:`EnrollmentFailed` (or another SyncError) with
    a clear message: wrong code, expired/used code, unreachable server, bad certificate,
    ``http://`` to another machine. Transient failures are retried (``retry``, waiting
    with ``wait``) with the same request id."""
    try:
        url = normalise_server_url(server_url)
    except InvalidServerUrl as exc:
        raise EnrollmentFailed("enroll_bad_url", str(exc)) from None
    check_transport(url, insecure_http=insecure_http)
    code = "".join(code.split())
    if not code:
        raise EnrollmentFailed("enroll_wrong_code", "empty code")
    request_id = enrollment_request_id(ledger, url, code)
    name = device_name.strip()[:LIMITS.device_name_chars] or "POS"
    install_id = ledger.get_setting(INSTALL_ID)
    if not isinstance(install_id, str) or not install_id:
        install_id = new_install_id()
        ledger.set_setting(INSTALL_ID, install_id)
    with ApiClient(url, ca_bundle=ca_bundle, connect_timeout=connect_timeout,
                   read_timeout=read_timeout, insecure_http=insecure_http) as client:
        api = ServerApi(client)
        try:
            timed = call_with_retry(lambda: api.enroll(code, name, request_id, install_id),
                                    retry or ENROLL_RETRY, wait or time_waiter)
        except RequestRefused as exc:
            if exc.error_id in SPENT_CODE_ERRORS:
                raise EnrollmentFailed("enroll_expired_code", exc.detail) from None
            if exc.error_id in WRONG_CODE_ERRORS or exc.status == 404:
                raise EnrollmentFailed("enroll_wrong_code", exc.detail) from None
            raise
        except TransientError as exc:
            if exc.message_id == "network_unreachable":
                raise EnrollmentFailed("network_unreachable", exc.detail, server=url) from None
            raise EnrollmentFailed("enroll_try_later", exc.detail) from None
    body = timed.body
    token = DeviceToken(url, str(body["device_id"]), str(body["token"]))
    stored_in = tokens.save(token)
    previous = ledger.get_setting(SERVER_URL)
    if previous is not None and previous != url:  # another server: its feeds start afresh
        ledger.reset_cursors(FEED_KINDS)
    ledger.set_setting(SERVER_URL, url)
    ledger.set_setting(DEVICE_ID, token.device_id)
    number = body.get("device_number")
    if isinstance(number, int) and not isinstance(number, bool):
        ledger.set_setting(DEVICE_NUMBER, number)
    ledger.set_setting(CA_BUNDLE, ca_bundle)
    ledger.set_setting(INSECURE_HTTP, True if insecure_http and url.startswith("http:") else None)
    ledger.set_setting(CONNECTION_STATE, "idle")
    ledger.set_setting(LAST_ERROR, None)
    ledger.set_setting(ENROLL_REQUEST, None)
    if clock is not None and timed.server_time is not None:
        clock.observe(timed.server_time, timed.sent_at, timed.received_at)
    return Enrollment(url, token.device_id, str(body["merchant_id"]),
                      str(body.get("merchant_name", "")), stored_in)


def time_waiter(seconds: float) -> bool:
    time.sleep(seconds)
    return True
