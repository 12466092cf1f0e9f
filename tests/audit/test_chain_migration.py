"""Existing plain SHA-256 chains are keyed once on upgrade (tests/data/db/ledger-v1.sqlite3)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from merchant_pos.store import Ledger
from merchant_pos.store.audit import chain_hash
from merchant_pos.store.device_secret import DeviceSecretStore
from merchant_pos.store.migrate import head_revision, read_revision

V1 = Path(__file__).parents[1] / "data" / "db" / "ledger-v1.sqlite3"


@pytest.fixture
def v1_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(V1, folder / "ledger.sqlite3")
    return folder


def rows(folder: Path) -> list[tuple[int, int, str, int | None, str, str, str]]:
    db = sqlite3.connect(folder / "ledger.sqlite3")
    return db.execute("SELECT seq, at, kind, operator_id, payload, prev_hash, hash "
                      "FROM audit_log ORDER BY seq").fetchall()


def test_the_v1_chain_is_keyed_once_with_its_plain_head_kept(v1_copy: Path) -> None:
    plain = rows(v1_copy)
    assert all(h == chain_hash(s, a, k, o, p, prev, None) for s, a, k, o, p, prev, h in plain)
    with Ledger.open(v1_copy, background_checkpoints=False) as ledger:
        assert read_revision(ledger.path) == head_revision()
        assert ledger.verify_audit().ok
    key = DeviceSecretStore(v1_copy).load()
    assert key is not None
    keyed = rows(v1_copy)
    assert [r[:5] for r in keyed[:len(plain)]] == [r[:5] for r in plain]  # content kept
    assert all(h == chain_hash(s, a, k, o, p, prev, key) for s, a, k, o, p, prev, h in keyed)
    marker = json.loads(keyed[-1][4])
    assert keyed[-1][2] == "chain_keyed" and marker["plain_head"] == plain[-1][6]
    assert marker["plain_rows_held"] == len(plain) and marker["plain_problem"] is None
    assert {op["name"] for op in marker["operators"]} == {"王主管", "李收银"}
    with Ledger.open(v1_copy, background_checkpoints=False) as again:  # not a second time
        assert again.verify_audit().ok
    assert rows(v1_copy) == keyed


def test_a_plain_chain_broken_before_the_upgrade_stays_reported(v1_copy: Path) -> None:
    db = sqlite3.connect(v1_copy / "ledger.sqlite3")
    db.execute("UPDATE audit_log SET payload = replace(payload, '6000', '600') WHERE seq = 1")
    db.commit()
    db.close()
    with Ledger.open(v1_copy, background_checkpoints=False) as ledger:
        result = ledger.verify_audit()
    assert not result.ok
    assert "plain_chain_was_broken" in {f.id.value for f in result.findings}
    assert "before the upgrade" in result.message("en") and "升级前" in result.message("zh_CN")
