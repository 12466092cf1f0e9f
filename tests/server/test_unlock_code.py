"""The counter's idle-lock policy in the config, and one-time unlock codes from the admin."""

from __future__ import annotations

import pytest

from merchant_pos.domain.unlock_code import check_unlock_code, device_key, parse_unlock_code
from merchant_pos.server.cli import main
from tests.server.world import World


def test_config_carries_the_idle_lock_policy(world: World) -> None:
    pos = world.pos("canteen-01")
    policies = pos.client.get("/v1/config").json()["policies"]
    assert policies["idle_lock_minutes"] == 15


def test_unlock_code_is_checked_offline_with_the_device_token(
        world: World, capsys: pytest.CaptureFixture[str]) -> None:
    pos, other = world.pos("canteen-01"), world.pos("canteen-01", "counter 2")
    token = pos.client.headers["authorization"].removeprefix("Bearer ")
    db, now = world.server.db_url, world.clock.now
    assert main(["--db", db, "device", "unlock-code", pos.device_id, "--operator", "王主管",
                 "--hours", "2", "--now", str(now)]) == 0
    out, err = capsys.readouterr()
    code = parse_unlock_code(out.strip())
    assert code is not None and "王主管" in err
    key = device_key(token)
    assert check_unlock_code(code, key, pos.device_id, "王主管", now + 7199)
    assert not check_unlock_code(code, key, pos.device_id, "王主管", now + 7201)
    assert not check_unlock_code(code, key, pos.device_id, "李收银", now)
    assert not check_unlock_code(code, key, other.device_id, "王主管", now)
    assert main(["--db", db, "device", "unlock-code", "no-such-device", "--operator", "x"]) == 2
    assert "no active device" in capsys.readouterr().err
