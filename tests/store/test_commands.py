"""The ``merchant-pos audit verify`` and ``ledger`` commands, on a real data folder."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest

from merchant_pos.cli import main
from merchant_pos.domain import CartLine
from tests.store.conftest import Counter
from tests.support.codes import make_code


def test_audit_verify_ok_then_names_the_first_bad_row(
        counter: Counter, capsys: pytest.CaptureFixture[str]) -> None:
    for _ in range(2):
        counter.service.redeem(str(uuid.uuid4()), make_code(counter.key),
                               [CartLine("formula", 100)], counter.cashier)
    folder = str(counter.ledger.path.parent)
    counter.ledger.close()
    assert main(["audit", "verify", "--data-dir", folder, "--lang", "en"]) == 0
    assert "intact: 8 rows" in capsys.readouterr().out
    db = sqlite3.connect(counter.ledger.path)
    db.execute("UPDATE audit_log SET at = at + 1 WHERE seq = 3")
    db.commit()
    db.close()
    assert main(["audit", "verify", "--data-dir", folder]) == 1
    out = capsys.readouterr().out
    assert "第 3 条" in out
    assert main(["audit", "verify", "--data-dir", folder, "--lang", "en"]) == 1
    assert "from row 3" in capsys.readouterr().out


def test_audit_verify_refuses_a_newer_database(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "d"
    assert main(["ledger", "info", "--data-dir", str(folder)]) == 0
    db = sqlite3.connect(folder / "ledger.sqlite3")
    db.execute("UPDATE alembic_version SET version_num = 'ffff'")
    db.commit()
    db.close()
    capsys.readouterr()
    assert main(["audit", "verify", "--data-dir", str(folder), "--lang", "en"]) == 2
    assert "newer version" in capsys.readouterr().out


def test_ledger_crashtest_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ledger", "crashtest", "--kills", "12", "--dir", str(tmp_path / "c"),
                 "--check-every", "6", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "12 kills" in out and "problems: 0" in out
