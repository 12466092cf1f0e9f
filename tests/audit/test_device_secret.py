"""The device secret: keyring first, else a user-only file; made once, the first writer wins."""

from __future__ import annotations

import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from merchant_pos.store.device_secret import SECRET_BYTES, DeviceSecretStore
from tests.support.keyrings import DictKeyring, installed_dict_keyring


@pytest.fixture
def memory_keyring() -> Iterator[DictKeyring]:
    with installed_dict_keyring() as backend:
        yield backend


def test_in_the_keyring_when_there_is_one(tmp_path: Path,
                                          memory_keyring: DictKeyring) -> None:
    store = DeviceSecretStore(tmp_path / "data")
    secret = store.load_or_create()
    assert len(secret) == SECRET_BYTES and store.where() == "keyring"
    assert not store.fallback_path.exists()
    assert list(memory_keyring.items.values()) == [secret.hex()]
    assert DeviceSecretStore(tmp_path / "data").load_or_create() == secret
    assert DeviceSecretStore(tmp_path / "other").load_or_create() != secret  # per folder


def test_else_a_user_only_file_outside_the_ledger(tmp_path: Path) -> None:
    store = DeviceSecretStore(tmp_path / "data")
    secret = store.load_or_create()
    assert store.where() == "file" and store.fallback_path.read_text() == secret.hex()
    assert stat.S_IMODE(store.fallback_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.fallback_path.parent.stat().st_mode) == 0o700
    assert store.load_or_create() == secret


def test_processes_racing_to_make_it_agree(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    child = ("import sys; from pathlib import Path; from merchant_pos.store.device_secret "
             "import DeviceSecretStore; print(DeviceSecretStore(Path(sys.argv[1]), "
             "use_keyring=False).load_or_create().hex())")
    procs = [subprocess.Popen([sys.executable, "-c", child, str(folder)],
                              stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parents[2]) for _ in range(4)]
    made = {p.communicate(timeout=60)[0].strip() for p in procs}
    assert len(made) == 1 and made == {DeviceSecretStore(folder).load_or_create().hex()}
