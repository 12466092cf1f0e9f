"""``merchant-pos staff`` against a real ledger file: PINs on stdin, refusals change nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from sqlalchemy import select

from merchant_pos.cli import main
from merchant_pos.store import Ledger, LedgerError, OperatorRegistry
from merchant_pos.store.models import AuditRow, OperatorRow
from merchant_pos.store.staff import StaffManager


@pytest.fixture(autouse=True)
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "pos"
    with Ledger.open(folder) as ledger:
        StaffManager(OperatorRegistry(ledger)).create_first_supervisor("王主管", "2791")
    return folder


def staff(data: Path, monkeypatch: pytest.MonkeyPatch, stdin: str, *args: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["staff", "--data-dir", str(data), "--lang", "en", *args])


def listing(data: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> list[str]:
    capsys.readouterr()
    assert main(["staff", "--data-dir", str(data), "--lang", "en", "list", *extra]) == 0
    return capsys.readouterr().out.splitlines()


def test_add_set_pin_remove(data: Path, monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    assert staff(data, monkeypatch, "2791\n3658\n", "add", "李收银") == 0
    assert "Added 李收银 (cashier)" in capsys.readouterr().out
    assert listing(data, capsys) == ["王主管\tsupervisor", "李收银\tcashier"]
    assert staff(data, monkeypatch, "2791\n4826\n", "set-pin", "李收银") == 0
    with Ledger.open(data) as ledger:
        assert OperatorRegistry(ledger).sign_in("李收银", "4826").operator.name == "李收银"
    assert staff(data, monkeypatch, "2791\n", "remove", "李收银") == 0
    assert listing(data, capsys) == ["王主管\tsupervisor"]
    assert listing(data, capsys, "--all")[1] == "李收银\tcashier\tremoved"


@pytest.mark.parametrize(("stdin", "args", "says"), [
    ("2791\n1234\n", ["add", "张三"], "too easy to guess"),
    ("0000\n3658\n", ["add", "张三"], "Wrong PIN"),
    ("2791\n", ["remove", "王主管"], "last supervisor cannot be removed"),
    ("2791\n3658\n", ["set-pin", "nobody"], "no such operator"),
    ("2791\n", ["unlock", "nobody"], "no such operator"),
    ("", ["unlock", "王主管", "--unlock-code", "AAAA-BBBB"], "unlock code is not valid"),
    ("", ["add", "张三"], "No input"),
])
def test_bad_input_says_why_and_changes_nothing(
        data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        stdin: str, args: list[str], says: str) -> None:
    with Ledger.open(data) as ledger:
        before = ledger.audit_head().seq
    assert staff(data, monkeypatch, stdin, *args) == 2
    assert says in capsys.readouterr().err
    assert listing(data, capsys, "--all") == ["王主管\tsupervisor"]
    with Ledger.open(data) as ledger, ledger.read() as s:
        new = set(s.scalars(select(AuditRow.kind).where(AuditRow.seq > before)))
        pin_hash = s.scalars(select(OperatorRow.pin_hash)).one()
        keyed = OperatorRegistry(ledger).hasher  # PIN hashes are keyed with the device secret
    # only the approving supervisor's sign-in (or its refusal) is recorded; no staff change
    assert new <= {"sign_in", "sign_in_failed", "unlock_refused"}
    assert keyed.check("2791", pin_hash)


def test_unlock_a_locked_cashier(data: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert staff(data, monkeypatch, "2791\n3658\n", "add", "李收银") == 0
    with Ledger.open(data) as ledger:
        for _ in range(10):
            with pytest.raises(LedgerError):
                OperatorRegistry(ledger).sign_in("李收银", "9090")
    assert "locked until" in listing(data, capsys)[1]
    assert staff(data, monkeypatch, "2791\n", "unlock", "李收银") == 0
    assert listing(data, capsys)[1] == "李收银\tcashier"


def test_a_weak_supervisor_pin_must_change_first(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "old"
    with Ledger.open(folder) as ledger:  # a PIN from before the rule
        OperatorRegistry(ledger).create_first_supervisor("老主管", "1111")
    capsys.readouterr()
    assert staff(folder, monkeypatch, "1111\n5937\n", "add", "新收银") == 2
    assert "change it first" in capsys.readouterr().err
    assert [line.split("\t")[0] for line in listing(folder, capsys)] == ["老主管"]
    assert staff(folder, monkeypatch, "1111\n6284\n", "set-pin", "老主管") == 0  # own PIN
    assert staff(folder, monkeypatch, "6284\n5937\n", "add", "新收银") == 0
    assert [line.split("\t")[0] for line in listing(folder, capsys)] == ["老主管", "新收银"]


def test_an_unlock_code_with_a_new_pin_after_the_device_secret_is_lost(
        data: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import time

    from merchant_pos.domain.unlock_code import device_key, make_unlock_code
    from merchant_pos.store.device_secret import SECRET_FILE, SECRET_FOLDER
    from merchant_pos.sync.token_store import DeviceToken, TokenStore

    TokenStore(data, use_keyring=False).save(DeviceToken("http://127.0.0.1:9", "D01", "tok"))
    (data / SECRET_FOLDER / SECRET_FILE).unlink()  # a wiped keyring / lost credentials
    capsys.readouterr()
    assert staff(data, monkeypatch, "2791\n", "set-pin", "王主管") == 2
    assert "unlock code" in capsys.readouterr().err  # the old PIN cannot be checked now
    code = make_unlock_code(device_key("tok"), "D01", "王主管", int(time.time()) + 600)
    assert staff(data, monkeypatch, "4826\n", "unlock", "王主管", "--unlock-code", code,
                 "--new-pin") == 0
    assert staff(data, monkeypatch, "4826\n5937\n", "add", "李收银") == 0
