"""BC1 conformance: every case and quote of every vector file passes unchanged.

The vector folder is ``$BC_VECTORS`` or the project's copy in tests/data/vectors
(origin: shared/spec/vectors of the foundation's contract).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from merchant_pos.domain import CodeRejected, RevocationList, TrustList, verify
from merchant_pos.domain.quote import CartLine, UsageRecord, quote

DEFAULT = Path(__file__).resolve().parents[1] / "data" / "vectors"
VECTOR_DIR = Path(os.environ.get("BC_VECTORS", DEFAULT))


def _load() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    files = sorted(VECTOR_DIR.glob("*.json"))
    if not files:
        raise FileNotFoundError(f"no *.json vector files in {VECTOR_DIR}")
    out = []
    for path in files:
        doc = json.loads(path.read_text(encoding="utf-8"))
        for i, case in enumerate(doc["cases"]):
            out.append((f"{path.stem}#{i}:{case['name']}", doc, case))
    return out


CASES = _load()


def _verify(doc: dict[str, Any], case: dict[str, Any]) -> Any:
    return verify(
        case["code"],
        TrustList.from_json(doc["trust_list"]),
        case["now"],
        revoked=RevocationList.from_json(doc.get("revoked", {})),
        programs=case.get("programs"),
    )


@pytest.mark.parametrize(("doc", "case"), [(d, c) for _, d, c in CASES],
                         ids=[n for n, _, _ in CASES])
def test_verification(doc: dict[str, Any], case: dict[str, Any]) -> None:
    expect = case["expect"]
    if expect["ok"]:
        code = _verify(doc, case)
        assert code.claims.to_json() == expect["claims"]
    else:
        with pytest.raises(CodeRejected) as info:
            _verify(doc, case)
        assert info.value.error.value == expect["error"]


QUOTES = [
    (f"{name}/quote{j}", doc, case, q)
    for name, doc, case in CASES
    for j, q in enumerate(case.get("quotes") or [])
]


@pytest.mark.parametrize(("doc", "case", "q"), [(d, c, q) for _, d, c, q in QUOTES],
                         ids=[n for n, _, _, _ in QUOTES])
def test_quote(doc: dict[str, Any], case: dict[str, Any], q: dict[str, Any]) -> None:
    code = _verify(doc, case)
    result = quote(
        code.claims,
        case["now"],
        [CartLine.from_json(line) for line in q["cart"]],
        [UsageRecord.from_json(u) for u in q["usage"]],
    )
    assert result.to_json() == q["expect"]


def test_vectors_have_quotes() -> None:
    # Guards the parametrisation above against silently testing nothing.
    assert QUOTES, "no quote found in the vectors"
