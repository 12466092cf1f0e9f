"""The /v1 calls the POS makes, over :class:`ApiClient` (contract: resources/openapi.json).

Responses are checked for the fields the engine relies on; a body that does
not have them is a ``bad_response`` (retried), never a crash.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from merchant_pos.sync.errors import TransientError
from merchant_pos.sync.http_client import ApiClient, ApiResponse

ENROLL = "/v1/devices/enroll"
CONFIG = "/v1/config"
TRUST_LIST = "/v1/trust-list"
REVOCATIONS = "/v1/revocations"
USAGE = "/v1/usage"
OUTCOMES = "/v1/redemptions/changes"
PUSH = "/v1/redemptions"
AUDIT_HEAD = "/v1/device/audit-head"
AUDIT_UPLOAD = "/v1/device/audit"


def _need(body: Any, *fields: str) -> dict[str, Any]:
    if not isinstance(body, dict) or any(f not in body for f in fields):
        raise TransientError(f"answer lacks one of {fields}", message_id="bad_response")
    return body


@dataclass(frozen=True)
class Page:
    """One page of a delta feed: items, the cursor after them, whether more follow."""

    items: list[dict[str, Any]]
    cursor: str
    more: bool


@dataclass(frozen=True)
class Timed:
    """A JSON body with the server's time and when we asked and heard back."""

    body: dict[str, Any]
    server_time: float | None
    sent_at: float
    received_at: float


def _timed(response: ApiResponse) -> Timed:
    body = _need(response.body)
    server_time = body.get("server_time")
    if not isinstance(server_time, (int, float)) or isinstance(server_time, bool):
        server_time = response.server_time()
    return Timed(body, server_time, response.sent_at, response.received_at)


class ServerApi:
    def __init__(self, client: ApiClient) -> None:
        self.client = client

    def enroll(self, code: str, device_name: str, request_id: str | None = None,
               install_id: str | None = None) -> Timed:
        body = {"code": code, "name": device_name}
        if request_id:
            body["request_id"] = request_id
        if install_id:
            body["install_id"] = install_id
        response = self.client.request("POST", ENROLL, json_body=body)
        timed = _timed(response)
        _need(timed.body, "device_id", "token", "merchant_id")
        return timed

    def config(self) -> Timed:
        timed = _timed(self.client.request("GET", CONFIG))
        _need(timed.body, "merchant", "device", "programs", "policies")
        return timed

    def trust_list(self) -> Timed:
        timed = _timed(self.client.request("GET", TRUST_LIST))
        _need(timed.body, "keys")
        return timed

    def page(self, path: str, after: str | None, limit: int) -> Page:
        params: dict[str, Any] = {"limit": limit}
        if after:
            params["after"] = after
        body = _need(self.client.request("GET", path, params=params).body,
                     "items", "cursor", "more")
        items = body["items"]
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise TransientError("page items are not objects", message_id="bad_response")
        return Page(items, str(body["cursor"]), bool(body["more"]))

    def push(self, items: Sequence[Mapping[str, Any]]) -> Timed:
        timed = _timed(self.client.request("POST", PUSH, json_body={"items": list(items)}))
        results = _need(timed.body, "results")["results"]
        if not isinstance(results, list) or not all(isinstance(r, dict) and "uuid" in r
                                                    for r in results):
            raise TransientError("push results are malformed", message_id="bad_response")
        return timed

    def send_audit_head(self, seq: int, head: str, at: int) -> None:
        self.client.request("PUT", AUDIT_HEAD, json_body={"seq": seq, "head": head, "at": at})

    def acknowledged_audit_head(self) -> int | None:
        """The seq of the audit head the server last acknowledged (None: none yet)."""
        body = self.client.request("GET", AUDIT_HEAD).body
        if body is None:
            return None
        seq = _need(body, "seq")["seq"]
        if not isinstance(seq, int) or isinstance(seq, bool):
            raise TransientError("audit head seq is not a number", message_id="bad_response")
        return seq

    def upload_audit(self, rows: Sequence[Mapping[str, Any]], seq: int, head: str,
                     at: int) -> Timed:
        timed = _timed(self.client.request("POST", AUDIT_UPLOAD, json_body={
            "rows": list(rows), "head": {"seq": seq, "head": head, "at": at}}))
        _need(timed.body, "head", "flags")
        return timed
