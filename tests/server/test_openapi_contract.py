"""The API contract: merchant_pos/resources/openapi.json is the app's document, and the running
server honours it for generated requests (schemathesis): no 500, every response
(status, content type, body) as documented, invalid input rejected."""

from __future__ import annotations

import json
import os
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode

from merchant_pos.server.openapi_doc import OPENAPI_PATH, current_document, render
from tests.server.world import World

EXAMPLES = {GenerationMode.POSITIVE: int(os.environ.get("MPOS_CONTRACT_EXAMPLES", 40)),
            GenerationMode.NEGATIVE: int(os.environ.get("MPOS_CONTRACT_EXAMPLES", 25))}
DERANDOMIZE = "MPOS_CONTRACT_EXAMPLES" not in os.environ  # explore when asked to


def _checked_in() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))
    return doc


def test_checked_in_document_is_the_apps() -> None:
    assert OPENAPI_PATH.read_text(encoding="utf-8") == render(current_document()), \
        "merchant_pos/resources/openapi.json is stale: run `merchant-pos-server openapi --write`"


def test_document_is_served_and_versioned(world: World) -> None:
    served = httpx.get(f"{world.base_url}/openapi.json").json()
    assert served == _checked_in()
    assert all(path.startswith("/v1/") for path in served["paths"])
    error = served["components"]["schemas"]["ErrorBody"]
    assert set(error["required"]) == {"error", "message"}


@pytest.mark.parametrize("mode", list(EXAMPLES), ids=lambda m: m.value)
def test_generated_requests_against_the_running_server(world: World,
                                                       mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_dict(_checked_in())
    pos = world.pos("canteen-01")
    headers = {"Authorization": pos.client.headers["authorization"]}
    pos.push(pos.item(world.code("B-MEAL-900"), world.clock.now, [("meal", 1000, 1)]))
    operations = [result.ok() for result in schema.get_all_operations()]
    # 12, + GET /v1/device/redemptions (issue 12), + POST /v1/device/audit and
    # GET /v1/device/flags (issue 11)
    assert len(operations) == 15
    for operation in operations:
        raw = _checked_in()["paths"][operation.path][operation.method.lower()]
        if mode is GenerationMode.NEGATIVE and not (raw.get("parameters")
                                                    or raw.get("requestBody")):
            continue  # nothing to make invalid
        strategy = operation.as_strategy(generation_mode=mode)

        @settings(max_examples=EXAMPLES[mode], deadline=None, database=None,
                  derandomize=DERANDOMIZE, suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def run(case: Any) -> None:
            sent = dict(case.headers or {})
            has_auth = any(k.lower() == "authorization" for k in sent)
            if mode is GenerationMode.POSITIVE or has_auth:
                # A real token in place of the generated one; a negative case that
                # dropped the header keeps it dropped (and must get a 401).
                sent = {k: v for k, v in sent.items() if k.lower() != "authorization"}
                case.headers = sent | headers
            case.call_and_validate(base_url=world.base_url)

        run()
