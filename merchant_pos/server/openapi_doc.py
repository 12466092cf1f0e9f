"""The checked-in OpenAPI document (``merchant_pos/resources/openapi.json``), the contract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine

from merchant_pos.resources import resource

OPENAPI_PATH = resource("openapi.json")


def current_document() -> dict[str, Any]:
    """The document the app serves (no database is touched to build it)."""
    from merchant_pos.server.app import create_app

    doc: dict[str, Any] = create_app(create_engine("sqlite://")).openapi()
    return doc


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def write(path: Path = OPENAPI_PATH) -> Path:
    path.write_text(render(current_document()), encoding="utf-8")
    return path
