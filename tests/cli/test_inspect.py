"""``merchant-pos inspect`` end to end: the real entry point in a child process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.codes import NOW, claims, issuer_key, make_code

VECTORS = Path(__file__).resolve().parents[1] / "data" / "vectors" / "bc1-v1.json"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "merchant_pos.cli", "inspect", *args],
                          capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture(scope="module")
def vector_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    doc = json.loads(VECTORS.read_text(encoding="utf-8"))
    d = tmp_path_factory.mktemp("vec")
    paths = {"trust": d / "trust.json", "revoked": d / "revoked.json"}
    paths["trust"].write_text(json.dumps(doc["trust_list"]))
    paths["revoked"].write_text(json.dumps(doc["revoked"]))
    return paths


def test_json_output_matches_the_vector_quote(vector_files: dict[str, Path],
                                              tmp_path: Path) -> None:
    doc = json.loads(VECTORS.read_text(encoding="utf-8"))
    case = next(c for c in doc["cases"] if c.get("quotes"))
    q = case["quotes"][-1]
    (tmp_path / "usage.json").write_text(json.dumps(q["usage"]))
    (tmp_path / "code.txt").write_text(case["code"] + "\n")
    out = _run(f"@{tmp_path / 'code.txt'}", "--trust", str(vector_files["trust"]),
               "--revoked", str(vector_files["revoked"]), "--now", str(case["now"]),
               "--programs", ",".join(case["programs"]), "--cart", json.dumps(q["cart"]),
               "--usage", str(tmp_path / "usage.json"), "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["ok"] is True and result["error"] is None
    assert {k: result["claims"][k] for k in case["expect"]["claims"]} == case["expect"]["claims"]
    assert result["quote"] == q["expect"]


def test_rejected_code_exits_2_with_id_and_message(vector_files: dict[str, Path]) -> None:
    doc = json.loads(VECTORS.read_text(encoding="utf-8"))
    case = next(c for c in doc["cases"] if c["expect"].get("error") == "expired")
    out = _run(case["code"], "--trust", str(vector_files["trust"]), "--now", str(case["now"]),
               "--json")
    assert out.returncode == 2
    result = json.loads(out.stdout)
    assert result == {"ok": False, "error": "expired", "message": "此码已过期",
                      "claims": None, "quote": None}
    text = _run(case["code"], "--trust", str(vector_files["trust"]), "--now",
                str(case["now"]), "--lang", "en")
    assert text.returncode == 2 and "This code has expired" in text.stdout


def test_text_output_explains_claims_and_quote(tmp_path: Path) -> None:
    key = issuer_key()
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps([key.trusted_key().to_json()]))
    out = _run(make_code(key, claims(sub="B-42")), "--trust", str(trust), "--now", str(NOW),
               "--cart", '[{"cat":"formula","amount":6000,"qty":1}]', "--lang", "en")
    assert out.returncode == 0, out.stderr
    assert "B-42" in out.stdout and "covered ¥60.00" in out.stdout


DEMO_CODE = Path(__file__).resolve().parents[2] / "merchant_pos" / "resources" / "demo" / \
    "meal-code.txt"


def test_demo_code_verifies_with_the_bundled_trust_list_only_with_demo(tmp_path: Path) -> None:
    out = _run(f"@{DEMO_CODE}", "--demo", "--json")  # verified at the real current time
    assert out.returncode == 0, out.stdout
    assert json.loads(out.stdout)["claims"]["prg"] == "elder-meal-sz"
    # Without --demo (and no counter in the data folder) nothing is trusted by default.
    bare = _run(f"@{DEMO_CODE}", "--data-dir", str(tmp_path / "none"), "--json")
    assert bare.returncode == 1 and "--demo" in bare.stderr
    assert not (tmp_path / "none").exists()


def test_default_trust_is_the_counters_synced_list(tmp_path: Path) -> None:
    from merchant_pos.domain import TrustList
    from merchant_pos.store import Ledger
    from merchant_pos.store.reference import TrustStore

    key = issuer_key()
    with Ledger.open(tmp_path, background_checkpoints=False) as ledger:
        TrustStore(ledger).replace_trust_list(TrustList([key.trusted_key()]))
        TrustStore(ledger).apply_revocations_page(revoked_sub=["B-REVOKED"])
    ours = _run(make_code(key, claims(sub="B-7")), "--data-dir", str(tmp_path),
                "--now", str(NOW), "--json")
    assert ours.returncode == 0, ours.stdout + ours.stderr
    revoked = _run(make_code(key, claims(sub="B-REVOKED")), "--data-dir", str(tmp_path),
                   "--now", str(NOW), "--json")
    assert revoked.returncode == 2 and json.loads(revoked.stdout)["error"] == "revoked"
    demo = _run(f"@{DEMO_CODE}", "--data-dir", str(tmp_path), "--json")
    assert demo.returncode == 2 and json.loads(demo.stdout)["error"] == "unknown_key"


@pytest.mark.parametrize("args", [
    ["BC1:XX", "--trust", "/nonexistent/trust.json"],
    ["BC1:XX", "--cart", "[not json"],
    ["BC1:XX", "--cart", '{"cat": "meal"}'],
    ["BC1:XX", "--cart", '[{"cat": "meal", "amount": -1}]'],
    ["@/nonexistent/code.txt"],
])
def test_usage_errors_exit_1(args: list[str]) -> None:
    out = _run(*args)
    assert out.returncode == 1
    assert "merchant-pos inspect:" in out.stderr


def test_fuzz_harness_runs_and_reports(tmp_path: Path) -> None:
    pytest.importorskip("atheris", reason="atheris is Linux-only (dev extra)")
    out = subprocess.run([sys.executable, "-m", "merchant_pos.cli", "fuzz", "--seconds", "3",
                          "--corpus", str(tmp_path / "corpus")],
                         capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "stat::number_of_executed_units" in out.stderr
    assert not list(tmp_path.glob("crash-*"))
