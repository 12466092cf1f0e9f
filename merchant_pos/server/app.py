"""The FastAPI application of the reference server: ``create_app(engine)``."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine

from merchant_pos import __version__
from merchant_pos.server import routes_audit, routes_device, routes_reconcile, routes_sync
from merchant_pos.server.api_errors import BodySizeLimit, install_error_handlers
from merchant_pos.server.auth import ServerContext
from merchant_pos.server.device_tokens import TokenPolicy

API_DESCRIPTION = """\
The central server of merchant-pos: device enrollment, configuration, trust
list, revocation and usage deltas, and exactly-once redemption push with
double-spend detection. Every error is a JSON body `{error, message, detail}`
whose `error` is a stable id. Authenticate with `Authorization: Bearer <token>`
from `/v1/devices/enroll`. Money is integer fen; times are UTC epoch seconds.
"""


IDLE_LOCK_ENV = "MPOS_IDLE_LOCK_MINUTES"


def idle_lock_minutes_from_env(default: int = 15) -> int:
    """The counters' idle lock (``$MPOS_IDLE_LOCK_MINUTES``, 1-1440), else ``default``."""
    raw = os.environ.get(IDLE_LOCK_ENV, "")
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= 1440 else default


def create_app(engine: Engine, *, clock: Callable[[], float] = time.time,
               tokens: TokenPolicy | None = None,
               idle_lock_minutes: int | None = None) -> FastAPI:
    app = FastAPI(
        title="merchant-pos central server",
        version=__version__,
        description=API_DESCRIPTION,
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    minutes = idle_lock_minutes if idle_lock_minutes is not None else idle_lock_minutes_from_env()
    app.state.ctx = ServerContext(engine, clock, tokens or TokenPolicy.from_env(), minutes)
    install_error_handlers(app)
    app.include_router(routes_device.router)
    app.include_router(routes_sync.router)
    app.include_router(routes_audit.router)
    app.include_router(routes_reconcile.router)
    app.add_middleware(BodySizeLimit)
    _integer_bounds_in_openapi(app)
    return app


def _integer_bounds_in_openapi(app: FastAPI) -> None:
    """Pydantic writes bounds as 0.0 / 1e12: give the client plain integers."""
    generate = app.openapi

    def fix(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, float) and value.is_integer() and key in _BOUNDS:
                    node[key] = int(value)
                else:
                    fix(value)
        elif isinstance(node, list):
            for value in node:
                fix(value)

    def openapi() -> dict[str, Any]:
        fresh = app.openapi_schema is None
        doc = generate()
        if fresh:
            fix(doc)
        return doc

    app.openapi = openapi  # type: ignore[method-assign]


_BOUNDS = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}
