"""The HTTP client: one ``requests.Session``, a timeout on every call, TLS verified.

Every failure comes out as one of the :mod:`merchant_pos.sync.errors` kinds so
the engine knows whether to retry, stop, or tell the clerk to re-enroll.
"""

from __future__ import annotations

import email.utils
import ipaddress
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from merchant_pos import __version__
from merchant_pos.sync.errors import (
    AuthError,
    CertificateError,
    InsecureTransport,
    RequestRefused,
    TransientError,
)
from merchant_pos.sync.retry import parse_retry_after

DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 30.0
TRANSIENT_STATUSES = frozenset({408, 425, 429})


log = logging.getLogger(__name__)


class InvalidServerUrl(ValueError):
    """A server URL that is not http(s)://host[:port][/path]."""


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_transport(url: str, *, insecure_http: bool = False) -> None:
    """``https://`` is required for any server but this machine itself: the device token
    must never travel in clear. ``insecure_http`` allows it (lab use), with a warning."""
    parts = urlsplit(url)
    if parts.scheme != "http" or is_loopback(parts.hostname or ""):
        return
    if not insecure_http:
        raise InsecureTransport(url, server=url)
    log.warning("insecure http:// to %s (--insecure-http): for lab use only", url)


def normalise_server_url(url: str) -> str:
    """``https://host[:port][/prefix]`` without a trailing slash, or InvalidServerUrl."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidServerUrl(url or "(empty)")
    if parts.query or parts.fragment:
        raise InvalidServerUrl(url)
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise InvalidServerUrl(url) from None
    return url.rstrip("/")


@dataclass(frozen=True)
class ApiResponse:
    status: int
    body: Any
    headers: Mapping[str, str]
    sent_at: float
    received_at: float

    def server_time(self) -> float | None:
        """The server's clock from the ``Date`` header (1 s resolution)."""
        value = self.headers.get("Date")
        if not value:
            return None
        try:
            return email.utils.parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError, IndexError):
            return None


def _error_fields(body: Any) -> tuple[str | None, str]:
    """(stable error id, human detail) from an error body of any common shape."""
    if not isinstance(body, dict):
        return None, ""
    error = body.get("error")
    if isinstance(error, dict):
        eid = error.get("id") or error.get("code")
        detail = error.get("message") or error.get("detail") or ""
        return (str(eid) if eid else None), str(detail)
    eid = body.get("error_id") or body.get("code") or (error if isinstance(error, str) else None)
    detail = body.get("message") or body.get("detail") or ""
    if not isinstance(detail, str):
        detail = json.dumps(detail, ensure_ascii=False)[:300]
    return (str(eid) if eid else None), detail


class ApiClient:
    """Talks JSON to the server under ``base_url`` (e.g. ``https://host/v1`` prefix-free).

    ``ca_bundle``: a PEM file of the CAs to trust (a foundation's own); TLS
    verification is never turned off. ``http://`` only to this machine, unless
    ``insecure_http`` (lab use; see :func:`check_transport`).
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        ca_bundle: str | None = None,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        clock: Callable[[], float] = time.time,
        insecure_http: bool = False,
    ) -> None:
        self.base_url = normalise_server_url(base_url)
        check_transport(self.base_url, insecure_http=insecure_http)
        self.timeout = (connect_timeout, read_timeout)
        self._clock = clock
        self.session = requests.Session()
        self.session.verify = ca_bundle if ca_bundle else True
        self.session.trust_env = False  # no surprise proxies or netrc at the counter
        self.session.headers["User-Agent"] = f"merchant-pos/{__version__}"
        self.session.headers["Accept"] = "application/json"
        self._token: str | None = None
        self.set_token(token)
        self.calls = 0
        self.busy_seconds = 0.0  # wall time inside requests (waiting on the network/server)

    def set_token(self, token: str | None) -> None:
        self._token = token
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        else:
            self.session.headers.pop("Authorization", None)

    @property
    def has_token(self) -> bool:
        return bool(self._token)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, Any] | None = None,
        timeout: tuple[float, float] | None = None,
    ) -> ApiResponse:
        """One call; returns a 2xx response with its JSON body or raises a SyncError."""
        url = f"{self.base_url}/{path.lstrip('/')}"
        data: bytes | None = None
        headers: dict[str, str] = {}
        if json_body is not None:
            data = json.dumps(json_body, ensure_ascii=False, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
        sent_at = self._clock()
        started = time.perf_counter()
        try:
            response = self.session.request(
                method, url, data=data, headers=headers, params=params,
                timeout=timeout or self.timeout, allow_redirects=False,
            )
            content = response.content  # reads the whole body: truncation raises here
        except requests.exceptions.SSLError as exc:
            raise CertificateError(_short(exc)) from None
        except requests.exceptions.ReadTimeout:
            raise TransientError("read timeout", message_id="timeout") from None
        except requests.exceptions.ConnectTimeout:
            raise TransientError("connect timeout", message_id="network_unreachable",
                                 server=self.base_url) from None
        except requests.exceptions.ConnectionError as exc:
            raise TransientError(_short(exc), message_id="network_unreachable",
                                 server=self.base_url) from None
        except (requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError) as exc:
            raise TransientError(_short(exc), message_id="bad_response") from None
        except requests.exceptions.RequestException as exc:
            raise TransientError(_short(exc), message_id="network_unreachable",
                                 server=self.base_url) from None
        finally:
            self.calls += 1
            self.busy_seconds += time.perf_counter() - started
        received_at = self._clock()
        return self._interpret(response, content, sent_at, received_at)

    def _interpret(self, response: requests.Response, content: bytes,
                   sent_at: float, received_at: float) -> ApiResponse:
        status = response.status_code
        declared = response.headers.get("Content-Length")
        if declared is not None and declared.isdigit() and int(declared) != len(content):
            raise TransientError(f"body {len(content)} of {declared} bytes",
                                 message_id="bad_response", status=status)
        body: Any = None
        parse_failed = False
        if content:
            try:
                body = json.loads(content)
            except ValueError:
                parse_failed = True
        if status in (401, 403):
            error_id, detail = _error_fields(body)
            raise AuthError(detail or f"HTTP {status}", status=status, error_id=error_id)
        if status >= 500 or status in TRANSIENT_STATUSES:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            raise TransientError(f"HTTP {status}", message_id="server_busy",
                                 retry_after=retry_after, status=status)
        if status >= 300:
            error_id, detail = _error_fields(body)
            raise RequestRefused(detail or f"HTTP {status}", status=status, error_id=error_id)
        if parse_failed:
            raise TransientError("answer is not JSON", message_id="bad_response", status=status)
        return ApiResponse(status, body, response.headers, sent_at, received_at)


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) <= 300 else text[:297] + "..."
