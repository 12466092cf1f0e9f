"""The ``merchant-pos-server`` admin commands, end to end on a real database."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import zxingcpp
from PIL import Image

from merchant_pos.domain.trust import TrustList
from merchant_pos.domain.verify import verify
from merchant_pos.server import admin
from merchant_pos.server.cli import main
from merchant_pos.server.embedded import EmbeddedServer
from tests.support.codes import NOW

ENTS = json.dumps([{"id": "meal", "cat": ["meal"], "unit": "count", "lim": 1, "per": "day",
                    "val": 1000}])


def run(db: str, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["--db", db, *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_setup_a_program_from_the_command_line(db_url: str, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    now = str(NOW)
    assert run(db_url, capsys, "init")[0] == 0
    status, out, _ = run(db_url, capsys, "key", "create", "--iss", "town-charity", "--now", now)
    kid = out.strip()
    assert status == 0 and len(kid) == 16
    assert run(db_url, capsys, "program", "create", "--id", "town-meals", "--name-zh", "助餐",
               "--name-en", "Meals", "--issuer", "town-charity", "--category", "meal:餐食:Meal",
               "--entitlements", ENTS, "--now", now)[0] == 0
    assert run(db_url, capsys, "merchant", "create", "--id", "canteen-9", "--name", "东街食堂",
               "--kind", "canteen", "--program", "town-meals",
               "--item", "lunch:town-meals:meal:1200:午餐:Lunch", "--now", now)[0] == 0
    status, out, _ = run(db_url, capsys, "beneficiary", "add", "--program", "town-meals",
                         "--name", "赵德明", "--now", now)
    sub = out.strip()
    assert status == 0 and sub.startswith("B-")
    png = tmp_path / "code.png"
    status, out, err = run(db_url, capsys, "issue-code", sub, "--qr", str(png), "--now", now)
    text = out.strip()
    assert status == 0 and text.startswith("BC1:") and "cti" in err
    # The QR is level M, alphanumeric, and reads back to the same text.
    (read,) = zxingcpp.read_barcodes(Image.open(png))
    assert read.text == text and read.ec_level == "M"
    assert admin.qr_symbol(text).mode == "alphanumeric"
    status, out, _ = run(db_url, capsys, "device", "enroll-code", "--merchant", "canteen-9",
                         "--hours", "2", "--now", now)
    enroll_code = out.strip()
    # A POS enrolls with that code against the server on the same database.
    server = EmbeddedServer(db_url, clock=lambda: float(NOW))
    with server as base_url, httpx.Client(base_url=base_url) as client:
        r = client.post("/v1/devices/enroll", json={"code": enroll_code, "name": "pos"})
        assert r.status_code == 201
        headers = {"Authorization": f"Bearer {r.json()['token']}"}
        cfg = client.get("/v1/config", headers=headers).json()
        assert cfg["merchant"]["name"] == "东街食堂"
        assert cfg["standard_items"][0]["price"] == 1200
        client.put("/v1/device/audit-head", headers=headers,
                   json={"seq": 7, "head": "ab" * 32, "at": NOW})
        status, out, _ = run(db_url, capsys, "device", "list", "--merchant", "canteen-9")
        assert status == 0 and r.json()["device_id"] in out and "audit #7 abababab" in out
        trust = TrustList.from_json(client.get("/v1/trust-list", headers=headers).json()["keys"])
        claims = verify(text, trust, NOW, programs=["town-meals"]).claims
        assert (claims.sub, claims.nm, claims.iss) == (sub, "赵*明", "town-charity")
        assert run(db_url, capsys, "beneficiary", "revoke", sub, "--now", now)[0] == 0
        revoked = client.get("/v1/revocations", headers=headers).json()["items"]
        assert [(x["kind"], x["value"]) for x in revoked] == [("sub", sub)]
        assert run(db_url, capsys, "key", "retire", kid, "--withdraw", "--now", now)[0] == 0
        assert client.get("/v1/trust-list", headers=headers).json()["keys"] == []
    status, out, _ = run(db_url, capsys, "settlement")
    assert status == 0 and "No redemptions" in out


def test_operator_mistakes_get_a_message_not_a_traceback(
        db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(db_url, capsys, "settlement")
    assert status == 3 and "merchant-pos-server init" in err
    run(db_url, capsys, "init")
    cases = [
        ("merchant", "create", "--id", "m", "--name", "n", "--kind", "canteen",
         "--program", "nope"),
        ("program", "create", "--id", "p", "--name-zh", "p", "--name-en", "p",
         "--category", "meal:餐:Meal", "--entitlements", "[{}]"),
        ("program", "create", "--id", "p", "--name-zh", "p", "--name-en", "p", "--tz", "Mars/Base",
         "--category", "meal:餐:Meal", "--entitlements", ENTS),
        ("beneficiary", "add", "--program", "nope", "--name", "x"),
        ("issue-code", "B-NOBODY"),
        ("device", "enroll-code", "--merchant", "nope"),
        ("key", "retire", "0011223344556677"),
        ("beneficiary", "revoke"),
    ]
    for args in cases:
        status, _, err = run(db_url, capsys, *args)
        assert status == 2 and err.startswith("error: "), (args, err)


def test_seed_demo_is_deterministic_and_complete(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    now = str(NOW)
    a, b = f"sqlite:///{tmp_path}/a.sqlite3", f"sqlite:///{tmp_path}/b.sqlite3"
    status, out_a, _ = run(a, capsys, "seed-demo", "--now", now, "--out", str(tmp_path / "out"))
    assert status == 0
    assert run(b, capsys, "seed-demo", "--now", now)[0] == 0
    demo = json.loads((tmp_path / "out" / "demo.json").read_text())
    assert demo["merchants"] == ["baby-shop-01", "canteen-01", "clinic-01"]
    assert len(demo["beneficiaries"]) == 36
    assert {x["program"] for x in demo["beneficiaries"]} == {
        "jss-baby-2023", "elder-meal-2026", "clinic-checkup-2026"}
    assert len(list((tmp_path / "out").glob("B-*.png"))) == 36
    with_b = {x["sub"]: x["code"] for x in _codes(b)}
    assert {x["sub"]: x["code"] for x in demo["beneficiaries"]} == with_b
    assert "enrollment code for canteen-01" in out_a


def _codes(db: str) -> list[dict[str, str]]:
    from sqlalchemy import select

    from merchant_pos.server.database import make_engine
    from merchant_pos.server.schema import issued_codes

    engine = make_engine(db)
    try:
        with engine.connect() as conn:
            return [{"sub": r.sub, "code": r.text} for r in conn.execute(select(issued_codes))]
    finally:
        engine.dispose()
