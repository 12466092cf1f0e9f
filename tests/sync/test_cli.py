"""``merchant-pos enroll`` and ``merchant-pos sync`` against the real server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from merchant_pos.cli import main
from tests.sync.world import ServerWorld


@pytest.fixture(autouse=True)
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # never touch a developer's real keyring
    yield
    keyring.set_keyring(previous)


def test_enroll_then_sync_status(world: ServerWorld, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "pos")
    code = world.enrollment_code("M-A")
    assert main(["enroll", "--server", world.url, "--code", code, "--data-dir", data,
                 "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "enrolled for 甲商店" in out and "Sync complete" in out
    assert main(["sync", "--data-dir", data, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "state: idle" in out and "pending: 0" in out
    assert main(["sync", "--status", "--data-dir", data]) == 0


def test_enroll_with_a_wrong_code_says_so(world: ServerWorld, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["enroll", "--server", world.url, "--code", "NOPE-NOPE",
                 "--data-dir", str(tmp_path / "pos")]) == 1
    assert "登记码不正确" in capsys.readouterr().out


def test_sync_before_enrolling_says_how(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sync", "--data-dir", str(tmp_path / "pos"), "--lang", "en"]) == 1
    assert "not enrolled" in capsys.readouterr().out
