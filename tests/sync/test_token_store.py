"""Device token storage: keyring when there is one, else a user-only file."""

from __future__ import annotations

import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from merchant_pos.sync.token_store import SERVICE, DeviceToken, TokenStore
from tests.support.keyrings import DictKeyring, installed_dict_keyring

TOKEN = DeviceToken("https://pos.example.org", "dev-1", "top-secret-token")


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def dict_keyring() -> Iterator[DictKeyring]:
    with installed_dict_keyring() as backend:
        yield backend


def test_without_keyring_the_token_goes_to_a_user_only_file(
    tmp_path: Path, no_keyring: None
) -> None:
    store = TokenStore(tmp_path / "data")
    assert store.save(TOKEN) == "file"
    mode = stat.S_IMODE(store.fallback_path.stat().st_mode)
    assert mode == 0o600
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) & 0o077 == 0
    assert store.load() == TOKEN
    assert [p.name for p in (tmp_path / "data").iterdir()] == [store.fallback_path.name]
    store.clear()
    assert store.load() is None


def test_with_a_keyring_the_token_goes_there_and_no_file_remains(
    tmp_path: Path, dict_keyring: DictKeyring
) -> None:
    store = TokenStore(tmp_path)
    store._write_file("stale")  # an old fallback file is removed on save
    assert store.save(TOKEN) == "keyring"
    assert not store.fallback_path.exists()
    assert (SERVICE, "device") in dict_keyring.items
    assert store.load() == TOKEN
    store.clear()
    assert dict_keyring.items == {}


def test_secret_never_shows_in_repr_str_or_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logging.getLogger("x").warning("token %s %r", TOKEN, TOKEN)
    assert "top-secret-token" not in caplog.text
    assert "dev-1" in caplog.text


def test_corrupt_file_reads_as_not_enrolled(tmp_path: Path, no_keyring: None) -> None:
    store = TokenStore(tmp_path)
    store._write_file("{not json")
    assert store.load() is None
