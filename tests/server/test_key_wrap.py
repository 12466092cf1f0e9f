"""Issuer private keys are encrypted at rest; the key-encryption key never enters the
database, and a rotation re-wraps every key."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from sqlalchemy import select, update

from merchant_pos.server import admin
from merchant_pos.server.cli import main
from merchant_pos.server.key_wrap import KeyWrapError, unwrap
from merchant_pos.server.schema import issuer_keys
from tests.server.world import World


def stored(world: World) -> dict[str, str]:
    with world.engine.connect() as conn:
        return {r.kid: r.private_pem for r in conn.execute(
            select(issuer_keys.c.kid, issuer_keys.c.private_pem))}


def test_keys_are_wrapped_and_rotate(world: World, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    kek_file = Path(os.environ["MPOS_SERVER_KEK_FILE"])
    kek = kek_file.read_text().strip()
    (kid, pem), = stored(world).items()
    assert pem.startswith("mpos-kek1:") and "PRIVATE KEY" not in pem
    with world.engine.connect() as conn:  # the KEK is nowhere in the database
        dump = "".join(str(v) for row in conn.execute(select(issuer_keys)) for v in row)
    assert kek not in dump and base64.urlsafe_b64decode(kek).hex() not in dump
    sub = admin.add_beneficiary(world.engine, program_id="jss-baby-2023", name="马小花",
                                now=world.clock.now)
    assert admin.issue_beneficiary_code(world.engine, sub, now=world.clock.now).text

    # Rotation: a new KEK, the old one named; rewrap; then the old one can go.
    new_file = tmp_path / "new.kek"
    monkeypatch.setenv("MPOS_SERVER_KEK_FILE", str(new_file))
    with pytest.raises(admin.AdminError, match="MPOS_SERVER_KEK_OLD_FILE"):
        admin.issue_beneficiary_code(world.engine, sub, now=world.clock.now)
    monkeypatch.setenv("MPOS_SERVER_KEK_OLD_FILE", str(kek_file))
    assert main(["--db", world.server.db_url, "key", "rewrap"]) == 0
    assert main(["--db", world.server.db_url, "key", "rewrap"]) == 0  # nothing left to do
    monkeypatch.delenv("MPOS_SERVER_KEK_OLD_FILE")
    rewrapped = stored(world)[kid]
    assert rewrapped != pem and rewrapped.startswith("mpos-kek1:")
    assert admin.issue_beneficiary_code(world.engine, sub, now=world.clock.now).text
    # A wrapped key moved to another row does not open (the kid is bound to it).
    with world.engine.begin() as conn:
        conn.execute(issuer_keys.insert().values(
            kid="00" * 8, alg=-8, iss="other", public_key=b"x", private_pem=rewrapped,
            not_before=0, not_after=2**40, created_at=world.clock.now))
    with pytest.raises(KeyWrapError):
        unwrap(rewrapped, "00" * 8, world.engine)


def test_plaintext_keys_from_an_older_server_are_wrapped_by_rewrap(world: World) -> None:
    (kid, pem), = stored(world).items()
    plain = unwrap(pem, kid, world.engine).decode()
    with world.engine.begin() as conn:
        conn.execute(update(issuer_keys).values(private_pem=plain))
    assert main(["--db", world.server.db_url, "key", "rewrap"]) == 0
    assert stored(world)[kid].startswith("mpos-kek1:")
    assert unwrap(stored(world)[kid], kid, world.engine).decode() == plain
