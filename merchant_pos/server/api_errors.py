"""Every error of the API as a JSON body ``{error, message, detail}`` with a stable id.

Also the request-size guard: bodies over ``MAX_BODY_BYTES`` are refused with
413 before they are read into memory.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from merchant_pos.server.api_models import MAX_BODY_BYTES, MAX_PUSH_ITEMS, ErrorBody
from merchant_pos.server.database import BulkInsertConflict

log = logging.getLogger(__name__)

# The stable error ids (HTTP status in parentheses).
INVALID_REQUEST = "invalid_request"  # 422: wrong types, unknown fields, bounds
MALFORMED_JSON = "malformed_json"  # 400
BATCH_TOO_LARGE = "batch_too_large"  # 413: more than MAX_PUSH_ITEMS items
BODY_TOO_LARGE = "body_too_large"  # 413
UNAUTHORIZED = "unauthorized"  # 401: missing or unknown token
DEVICE_REVOKED = "device_revoked"  # 403
ENROLLMENT_CODE_UNKNOWN = "enrollment_code_unknown"  # 404
ENROLLMENT_CODE_EXPIRED = "enrollment_code_expired"  # 410
ENROLLMENT_CODE_USED = "enrollment_code_used"  # 409
NOT_FOUND = "not_found"  # 404
RATE_LIMITED = "rate_limited"  # 429: too many enrollment attempts; retry after Retry-After
REJECTED_QUOTA = "rejected_quota_exceeded"  # 409: the device stored too many rejected items
METHOD_NOT_ALLOWED = "method_not_allowed"  # 405
UNAVAILABLE = "unavailable"  # 503: database busy or down; retry after Retry-After
INTERNAL_ERROR = "internal_error"  # 500: a bug; never expected

ERROR_STATUSES: dict[int, str] = {
    400: "Malformed request (malformed_json)",
    401: "Missing or unknown device token (unauthorized)",
    403: "The device was revoked (device_revoked)",
    404: "Not found (not_found, enrollment_code_unknown)",
    409: "Enrollment code already used (enrollment_code_used), or the device's quota of "
         "rejected items is full (rejected_quota_exceeded)",
    410: "Enrollment code expired (enrollment_code_expired)",
    413: "Body or batch too large (body_too_large, batch_too_large)",
    422: "Request does not match the schema (invalid_request)",
    429: "Too many enrollment attempts; retry after Retry-After (rate_limited)",
    503: "Database unavailable; retry (unavailable)",
}

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text} for code, text in ERROR_STATUSES.items()
}


class ApiError(Exception):
    def __init__(self, status: int, error: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.headers = headers


def error_response(status: int, error: str, message: str,
                   detail: list[dict[str, Any]] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"error": error, "message": message, "detail": detail or []}
    return JSONResponse(body, status_code=status, headers=headers)


def _loc(parts: Any) -> list[str | int]:
    return [p if isinstance(p, int) else str(p) for p in (parts or ())]


def _validation_response(exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    detail = [
        {"loc": _loc(e.get("loc")), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
        for e in errors[:50]
    ]
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(400, MALFORMED_JSON, "The body is not valid JSON.", detail)
    if any(e.get("type") == "too_long" and tuple(e.get("loc", ())) == ("body", "items")
           for e in errors):
        return error_response(
            413, BATCH_TOO_LARGE, f"A push holds at most {MAX_PUSH_ITEMS} items.", detail)
    if any(e.get("type") == "model_attributes_type" and tuple(e.get("loc", ())) == ("body",)
           for e in errors):
        return error_response(422, INVALID_REQUEST,
                              "The body must be a JSON object (Content-Type: application/json).",
                              detail)
    first = detail[0] if detail else {"loc": [], "msg": "invalid"}
    where = ".".join(str(p) for p in first["loc"])
    return error_response(422, INVALID_REQUEST, f"Invalid request: {where}: {first['msg']}",
                          detail)


def reject_unknown_query(request: Request) -> None:
    """Router dependency: query parameters the route does not declare are an error."""
    route = request.scope.get("route")
    allowed: set[str] = set()
    pending = [getattr(route, "dependant", None)]
    while pending:
        dependant = pending.pop()
        if dependant is None:
            continue
        allowed.update(getattr(p, "alias", None) or p.name for p in dependant.query_params)
        pending.extend(dependant.dependencies)
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise ApiError(422, INVALID_REQUEST,
                       f"Unknown query parameters: {', '.join(unknown)[:200]}")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.error, exc.message, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return _validation_response(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        ids = {404: NOT_FOUND, 405: METHOD_NOT_ALLOWED, 400: MALFORMED_JSON,
               413: BODY_TOO_LARGE}
        error = ids.get(exc.status_code, f"http_{exc.status_code}")
        return error_response(exc.status_code, error, str(exc.detail),
                              headers=getattr(exc, "headers", None))

    @app.exception_handler(OperationalError)
    async def _db_busy(_request: Request, exc: OperationalError) -> JSONResponse:
        log.warning("database unavailable: %s", exc.orig)
        return error_response(503, UNAVAILABLE, "The database is busy or unavailable; retry.",
                              headers={"Retry-After": "1"})

    @app.exception_handler(DBAPIError)
    async def _db_error(_request: Request, exc: DBAPIError) -> JSONResponse:
        log.error("database error: %s", exc.orig)
        return error_response(503, UNAVAILABLE, "The database refused the operation; retry.",
                              headers={"Retry-After": "1"})

    @app.exception_handler(BulkInsertConflict)
    async def _contended(_request: Request, exc: BulkInsertConflict) -> JSONResponse:
        log.warning("push still contended after retries: %s", exc)
        return error_response(503, UNAVAILABLE, "Concurrent writes of the same items; retry.",
                              headers={"Retry-After": "1"})

    @app.exception_handler(Exception)
    async def _bug(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return error_response(500, INTERNAL_ERROR, "Internal error.")


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodySizeLimit:
    """ASGI middleware: refuse bodies over ``limit`` bytes (by header or while reading).

    The body is read here, up to the limit, and replayed to the app: the app
    never sees a request that is too large, and nothing oversized is buffered.
    """

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.limit
                except ValueError:
                    too_big = False
                if too_big:
                    await self._refuse(scope, receive, send)
                    return
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            body = message.get("body", b"")
            seen += len(body)
            if seen > self.limit:
                await self._refuse(scope, receive, send)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        whole = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([whole], receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            413, BODY_TOO_LARGE, f"The body is larger than {self.limit} bytes.")
        await response(scope, receive, send)


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}

    return receive
