"""``merchant-pos report`` and ``merchant-pos receipt`` on a real ledger file, against the
real reference server on loopback; PDFs read back with pdftotext."""

from __future__ import annotations

import gc
import json
import sqlite3
import sys
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import keyring
import pytest
from keyring.backends import fail

from merchant_pos.cli import main
from merchant_pos.domain.quote import CartLine
from merchant_pos.store import Ledger, OperatorRegistry, RedemptionService
from tests.printing.escpos_parse import parse
from tests.support.pdf import pdf_text
from tests.sync.conftest import world as world  # the fixture, re-exported
from tests.sync.world import FAST_PINS, ServerWorld


@pytest.fixture(autouse=True)
def collected() -> Iterator[None]:
    """Leave no cyclic garbage of the PDF path behind (tests/ui/test_heap counts the heap)."""
    yield
    gc.collect()


@pytest.fixture(autouse=True)
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # never touch a developer's real keyring
    yield
    keyring.set_keyring(previous)


def _shop(world: ServerWorld, data: Path) -> tuple[str, list[str]]:
    """An enrolled till with three redemptions (one voided); returns the day and ids."""
    assert main(["enroll", "--server", world.url, "--code", world.enrollment_code("M-A"),
                 "--data-dir", str(data)]) == 0
    code = world.beneficiary_code()
    with Ledger.open(data) as ledger:
        operators = OperatorRegistry(ledger, hasher=FAST_PINS)
        operators.create_first_supervisor("店长", "2468")
        session = operators.sign_in("店长", "2468")
        service = RedemptionService(ledger, operators)
        ids = []
        for amount in (1200, 800, 300):
            rid = str(uuid.uuid4())
            service.redeem(rid, code, [CartLine("food", amount)], session)
            ids.append(rid)
        service.void(ids[1], void_id=str(uuid.uuid4()), supervisor_name="店长",
                     supervisor_pin="2468", reason="顾客退货")
        at = service.receipt(ids[0]).at  # type: ignore[union-attr]
    day = datetime.fromtimestamp(at, ZoneInfo("Asia/Shanghai")).date().isoformat()
    return day, ids


def test_report_files_reconcile_and_exit_codes(world: ServerWorld, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "pos"
    day, ids = _shop(world, data)
    capsys.readouterr()
    out_csv, out_pdf, out_slip = tmp_path / "day.csv", tmp_path / "day.pdf", tmp_path / "s.bin"
    assert main(["report", "--date", day, "--data-dir", str(data), "--csv", str(out_csv),
                 "--pdf", str(out_pdf), "--escpos", str(out_slip), "--lang", "zh_CN"]) == 0
    screen = capsys.readouterr().out
    assert "日结报表" in screen and "甲商店" in screen and "尚未对账" in screen
    raw = out_csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    csv_text = raw.decode("utf-8-sig")
    assert "单号" in csv_text and "01-000001" in csv_text and "已撤销" in csv_text
    assert "待上传" in csv_text and "15.00" in csv_text  # 12 + 3 yuan not voided
    pdf = pdf_text(out_pdf)
    for expected in ("甲商店", "日结报表", day, "按状态", "01-000003", "已撤销", "¥15.00"):
        assert expected in pdf, expected
    slip = parse(out_slip.read_bytes())
    assert "日结报表" in slip.text and slip.cuts == 1

    assert main(["report", "--date", day, "--data-dir", str(data), "--reconcile",
                 "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["reconciliation"]["days"] == {day: "reconciled"}
    assert doc["totals"]["reimbursable"] == 1500 and doc["totals"]["count"] == 2
    assert doc["by_status"]["voided"]["count"] == 1

    with sqlite3.connect(data / "ledger.sqlite3") as db:  # someone edits the till's file
        db.execute("UPDATE redemptions SET covered = 100 WHERE id = ?", (ids[2],))
    assert main(["report", "--date", day, "--data-dir", str(data), "--reconcile",
                 "--lang", "en"]) == 3
    out = capsys.readouterr().out
    assert "01-000003: total/covered here 300/100, on the server 300/300." in out
    assert "call the foundation" in out

    world.stop()
    assert main(["report", "--date", day, "--data-dir", str(data), "--reconcile",
                 "--lang", "en"]) == 4
    assert "Cannot reach the server" in capsys.readouterr().err


def test_receipt_reprint_escpos_pdf_and_old_numbers(world: ServerWorld, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "pos"
    _day, ids = _shop(world, data)
    escpos, pdf = tmp_path / "r.bin", tmp_path / "r.pdf"
    assert main(["receipt", "01-000001", "--data-dir", str(data), "--escpos", str(escpos),
                 "--pdf", str(pdf), "--copy"]) == 0
    assert "重印 COPY" in capsys.readouterr().out
    roll = parse(escpos.read_bytes())
    assert "重印 COPY" in roll.text and roll.qr == ["01-000001"]
    text = pdf_text(pdf)
    for expected in ("重印 COPY", "甲商店", "01-000001", "¥12.00", "待上传", "店长"):
        assert expected in text, expected
    assert main(["receipt", "01-000002", "--void", "--data-dir", str(data)]) == 0
    assert "撤销凭条" in capsys.readouterr().out
    assert main(["receipt", "01-000001", "--void", "--data-dir", str(data), "--lang",
                 "en"]) == 1
    assert "not voided" in capsys.readouterr().err

    long_no = f"{uuid.uuid4()}-000007"  # a 43-character number from before issue 12
    with sqlite3.connect(data / "ledger.sqlite3") as db:
        db.execute("UPDATE redemptions SET receipt_no = ? WHERE id = ?", (long_no, ids[2]))
    assert main(["receipt", long_no, "--data-dir", str(data)]) == 0
    assert long_no in capsys.readouterr().out
    assert main(["receipt", "99-999999", "--data-dir", str(data)]) == 1
    assert "没有这个单号的记录：99-999999" in capsys.readouterr().err


def test_usage_errors_in_the_users_language(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--date", "2026-13-01", "--data-dir", str(tmp_path)]) == 1
    assert "日期格式应为 YYYY-MM-DD：2026-13-01" in capsys.readouterr().err
    assert main(["report", "--date", "2026-02-10", "--data-dir", str(tmp_path / "none"),
                 "--lang", "en"]) == 1
    assert "no till records in" in capsys.readouterr().err
    assert main(["report", "--date", "2026-02-10", "--to", "2026-02-01",
                 "--data-dir", str(tmp_path)]) == 1
    assert "结束日期早于开始日期" in capsys.readouterr().err


def test_argparse_usage_errors_exit_1_in_the_users_language(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MPOS_LANG", "zh_CN")
    monkeypatch.setattr(sys, "argv", ["merchant-pos", "report"])
    with pytest.raises(SystemExit) as missing:
        main(sys.argv[1:])
    assert missing.value.code == 1  # argparse alone exits 2
    assert "merchant-pos report：用法有误：缺少必填参数：--date" in capsys.readouterr().err
    monkeypatch.setattr(sys, "argv", ["merchant-pos", "receipt", "--lang", "en", "--width",
                                      "70", "01-000001"])
    with pytest.raises(SystemExit) as bad:
        main(sys.argv[1:])
    assert bad.value.code == 1
    assert "receipt: usage error: argument --width: invalid choice" in capsys.readouterr().err
