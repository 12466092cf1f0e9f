"""A full counter session (demo server, enrollment, sync, sign-in, a redemption, a
refused PIN and a rejected code) leaves a log a supporter can read and a support
bundle, and neither holds a code text, token, PIN, enrollment code or secret."""

from __future__ import annotations

import json
import logging
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from merchant_pos.app import (
    DEMO_SUPERVISOR,
    DEMO_SUPERVISOR_PIN,
    DemoWorld,
    demo_pos_folder,
    start_demo,
)
from merchant_pos.diagnostics.logfile import configure_logging, log_files, start_log, stop_logging
from merchant_pos.diagnostics.support_bundle import write_support_bundle
from merchant_pos.domain import CodeRejected
from merchant_pos.domain.quote import CartLine
from merchant_pos.store import LedgerError, OperatorRole

CASHIER_PIN, WRONG_PIN = "904817", "771203"


@pytest.fixture
def session(tmp_path: Path) -> Iterator[tuple[DemoWorld, Path]]:
    folder = demo_pos_folder(tmp_path, "canteen-01")
    start_log(folder, "demo", "zh_CN")
    world = start_demo(tmp_path, "canteen-01")
    try:
        yield world, folder
    finally:
        world.close()
        stop_logging()


def _a_full_session(world: DemoWorld) -> str:
    pos = world.pos
    boss = pos.operators.sign_in(DEMO_SUPERVISOR, DEMO_SUPERVISOR_PIN)
    pos.operators.add_operator(boss, "小王", OperatorRole.CASHIER, CASHIER_PIN)
    with pytest.raises(LedgerError):
        pos.operators.sign_in("小王", WRONG_PIN)
    cashier = pos.operators.sign_in("小王", CASHIER_PIN)
    profile = pos.settings.load_profile()
    assert profile is not None
    code = next(c for p in profile.programs for c in world.codes(p))
    forged = code[:-8] + ("A" if code[-8] != "A" else "B") + code[-7:]
    with pytest.raises(CodeRejected):
        pos.redemptions.quote(forged, [CartLine("meal", 1500)])
    pos.redemptions.redeem(str(uuid.uuid4()), code, [CartLine("meal", 1500)], cashier)
    assert pos.sync is not None
    report = pos.sync.sync_now()
    assert report.ok and report.accepted == 1, report
    return code


def _secrets(world: DemoWorld, folder: Path) -> list[str]:
    token = world.pos.sync.tokens.load() if world.pos.sync else None
    assert token is not None
    values = [token.secret, CASHIER_PIN, WRONG_PIN, *world.seed["enrollment_codes"].values()]
    for b in world.seed["beneficiaries"]:
        values += [b["code"], b["code"][4:40]]  # the whole text and any long piece of it
    credentials = folder / "device-credentials.json"
    if credentials.exists():
        values += [str(v) for v in json.loads(credentials.read_text()).values()
                   if isinstance(v, str) and len(v) >= 6 and not v.startswith("http")
                   and v != token.device_id]
    return values


def test_the_log_tells_what_happened_and_holds_no_secret(
        session: tuple[DemoWorld, Path]) -> None:
    world, folder = session
    code = _a_full_session(world)
    # Careless lines a library might write: the formatter scrubs them, tracebacks too.
    token = world.pos.sync.tokens.load() if world.pos.sync else None
    assert token is not None
    careless = logging.getLogger("some.library")
    careless.info("request headers {'Authorization': 'Bearer %s'}", token.secret)
    try:
        raise ValueError(f"cannot parse {code}")
    except ValueError:
        careless.exception("decoding failed")
    text = "".join(p.read_text(encoding="utf-8") for p in log_files(folder))
    assert "start: command demo" in text and "version merchant-pos" in text
    assert "migrating from empty" in text and "migrated to" in text
    assert "sync ok: pushed 1 (accepted 1" in text
    assert "code rejected: bad_signature" in text or "code rejected: malformed" in text
    assert "ledger refused: wrong_pin" in text
    for secret in _secrets(world, folder):
        assert secret not in text, f"a secret was logged: {secret[:12]}…"


def test_the_support_bundle_holds_the_facts_and_no_secret(
        session: tuple[DemoWorld, Path], tmp_path: Path) -> None:
    world, folder = session
    _a_full_session(world)
    secrets = _secrets(world, folder)
    out = tmp_path / "support.zip"
    write_support_bundle(folder, out)
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        texts = {n: z.read(n).decode("utf-8") for n in names}
    assert {"versions.txt", "ledger-info.txt", "outbox-summary.txt", "audit-verify.txt",
            "settings.json", "logs/merchant-pos.log"} <= names
    assert not any("credentials" in n or "secret" in n for n in names)
    assert "merchant-pos 0.1.0" in texts["versions.txt"]
    assert "integrity: ok" in texts["ledger-info.txt"]
    assert "redemption" in texts["outbox-summary.txt"]
    assert texts["audit-verify.txt"].startswith("ok: True")
    assert json.loads(texts["settings.json"])  # the device's settings, readable
    for name, text in texts.items():
        for secret in secrets:
            assert secret not in text, f"{name} holds a secret: {secret[:12]}…"


def test_the_log_rotates_within_its_bound(tmp_path: Path) -> None:
    configure_logging(tmp_path, max_bytes=2000, backups=2)
    try:
        for i in range(500):
            logging.getLogger("merchant_pos.test").info("line %d of a long session", i)
    finally:
        stop_logging()
    files = log_files(tmp_path)
    assert [p.name for p in files] == ["merchant-pos.log", "merchant-pos.log.1",
                                       "merchant-pos.log.2"]
    assert all(p.stat().st_size <= 2000 for p in files)
    assert "line 499 of" in files[0].read_text(encoding="utf-8")
