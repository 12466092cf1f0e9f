"""The demo's guide: every code in its index does at the counter what the index says,
the invalid samples included (expired, not yet valid, revoked, forged, unknown issuer,
wrong program)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from merchant_pos.app import start_demo
from merchant_pos.domain import CodeRejected
from merchant_pos.domain.quote import CartLine
from merchant_pos.scan.photo import decode_image_file

CARTS = {"elder-meal-2026": CartLine("meal", 1200), "jss-baby-2023": CartLine("formula", 5000),
         "clinic-checkup-2026": CartLine("checkup", 3000)}


def test_every_indexed_code_does_what_the_index_says_at_its_shop(tmp_path: Path) -> None:
    world = start_demo(tmp_path, "canteen-01")
    try:
        folder = tmp_path / "server"
        with (folder / "index.csv").open(encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        assert {r["expect"] for r in rows} == {
            "ok", "expired", "not_yet_valid", "revoked", "bad_signature", "unknown_key",
            "wrong_program"}
        assert "B-MEAL-001" in (folder / "index.md").read_text(encoding="utf-8")
        for row in rows:
            (text,) = decode_image_file(folder / row["file"]).texts  # the PNG is the code
            at_this_shop = row["shop"] == "canteen-01"
            expect = row["expect"] if at_this_shop else "wrong_program"
            cart = [CARTS[row["program"]]]
            if expect == "ok":
                assert world.pos.redemptions.quote(text, cart).covered > 0, row
                continue
            with pytest.raises(CodeRejected) as rejected:
                world.pos.redemptions.quote(text, cart)
            assert rejected.value.error.value == expect, row
            if row["file"].startswith("invalid-"):
                txt = folder / row["file"].replace(".png", ".txt")
                assert txt.read_text(encoding="utf-8").strip() == text
    finally:
        world.close()
