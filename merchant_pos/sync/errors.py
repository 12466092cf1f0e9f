"""The failures of talking to the server, sorted by what the engine does next.

- :class:`TransientError`: retry with backoff (network, timeout, 429, 5xx,
  a cut or garbled answer).
- :class:`AuthError`: stop; the device must be enrolled again (401/403).
- :class:`CertificateError`: stop; the server's TLS certificate is not trusted.
- :class:`RequestRefused`: stop; the server said no to this request (other 4xx).
"""

from __future__ import annotations

from typing import Any

from merchant_pos.sync import messages


class SyncError(Exception):
    """A sync failure with a stable ``message_id`` the UI can show."""

    message_id = "request_refused"

    def __init__(self, detail: str = "", *, status: int | None = None,
                 error_id: str | None = None, **values: Any) -> None:
        super().__init__(f"{self.message_id}: {detail}" if detail else self.message_id)
        self.detail = detail
        self.status = status
        self.error_id = error_id
        self.values = values

    def message(self, language: str = "zh_CN") -> str:
        values = {"detail": self.detail, "status": self.status, **self.values}
        return messages.text(self.message_id, language, **values)


class TransientError(SyncError):
    """Worth retrying later. ``retry_after`` is the server's wish, in seconds."""

    message_id = "network_unreachable"

    def __init__(self, detail: str = "", *, message_id: str | None = None,
                 retry_after: float | None = None, status: int | None = None,
                 **values: Any) -> None:
        super().__init__(detail, status=status, **values)
        if message_id is not None:
            self.message_id = message_id
        self.retry_after = retry_after


class AuthError(SyncError):
    """401/403: the token is missing, wrong or revoked; re-enrollment is needed."""

    message_id = "reenroll_needed"

    def __init__(self, detail: str = "", *, status: int | None = None,
                 error_id: str | None = None) -> None:
        super().__init__(detail, status=status, error_id=error_id)
        if status == 403:
            self.message_id = "device_revoked"
        elif error_id == "token_expired":
            self.message_id = "token_expired"


class CertificateError(SyncError):
    """The server's TLS certificate failed verification."""

    message_id = "bad_certificate"


class RequestRefused(SyncError):
    """A 4xx (other than 401/403/429) with the server's stable error id."""

    message_id = "request_refused"

    def __init__(self, detail: str = "", *, status: int | None = None,
                 error_id: str | None = None, message_id: str | None = None) -> None:
        super().__init__(detail, status=status, error_id=error_id)
        if message_id is not None:
            self.message_id = message_id


class InsecureTransport(SyncError):
    """``http://`` to a host that is not this machine, without ``--insecure-http``."""

    message_id = "insecure_http"


class Cancelled(Exception):
    """The sync was asked to stop (shutdown); nothing was lost."""


class NotEnrolled(SyncError):
    """No device token is stored."""

    message_id = "not_enrolled"


class LocalLedgerError(SyncError):
    """The local ledger refused a write (disk full, read-only...); nothing half-done."""

    message_id = "local_ledger"

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause

    def message(self, language: str = "zh_CN") -> str:
        describe = getattr(self.cause, "message", None)
        if callable(describe):
            return str(describe(language))
        return super().message(language)
