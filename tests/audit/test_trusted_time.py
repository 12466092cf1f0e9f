"""Trusted time: a clock set back refuses redemptions in the ledger itself (injected clock,
the real sync engine and server, and Debian ``faketime`` around a real process)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from merchant_pos.domain import CartLine
from merchant_pos.domain.claims import Entitlement, Period, Unit
from merchant_pos.store import (
    Ledger,
    LedgerError,
    LedgerErrorId,
    OperatorRegistry,
    OperatorRole,
    RedemptionService,
)
from merchant_pos.store.models import AuditRow, RedemptionRow
from merchant_pos.store.trusted_time import TOLERANCE_SECONDS
from merchant_pos.sync.ledger_port import SyncLedger
from tests.audit.conftest import ShiftableWorld
from tests.store.conftest import FAST_PINS, FakeClock, configure
from tests.support.codes import DAY, claims, issuer_key, make_code
from tests.sync.world import PosDevice

MEAL = (Entitlement("m", ("meal",), Unit.COUNT, 1, Period.DAY, val=1500),)
CART = [CartLine("meal", 1500)]


class Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Shop:
    def __init__(self, folder: Path, start: int) -> None:
        self.clock, self.mono = FakeClock(start), Monotonic()
        self.key = issuer_key()
        self.ledger = Ledger.open(folder, clock=self.clock, monotonic=self.mono)
        configure(self.ledger, self.key)
        self.operators = OperatorRegistry(self.ledger, hasher=FAST_PINS)
        self.operators.create_first_supervisor("王主管", "9999")
        boss = self.operators.sign_in("王主管", "9999")
        self.operators.add_operator(boss, "李收银", OperatorRole.CASHIER, "1234")
        self.service = RedemptionService(self.ledger, self.operators)
        self.code = make_code(self.key, claims(prg="elder-meal", ent=MEAL,
                                               iat=start - 5 * DAY, exp=start + 30 * DAY))

    def redeem(self) -> str:
        cashier = self.operators.sign_in("李收银", "1234")
        rid = str(uuid.uuid4())
        self.service.redeem(rid, self.code, CART, cashier)
        return rid

    def refused(self) -> LedgerError:
        with pytest.raises(LedgerError) as err:
            self.redeem()
        return err.value

    def count(self, model: type[RedemptionRow] | type[AuditRow], **where: str) -> int:
        with self.ledger.read() as s:
            stmt = select(model)
            for column, value in where.items():
                stmt = stmt.where(getattr(model, column) == value)
            return len(s.scalars(stmt).all())


START = 1_770_692_400  # 2026-02-10 11:00 Asia/Shanghai


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    opened = Shop(tmp_path / "data", START)
    yield opened
    opened.ledger.close()


def test_a_clock_set_back_a_day_cannot_draw_the_same_daily_meal_twice(shop: Shop) -> None:
    shop.redeem()
    shop.clock.now -= DAY  # "yesterday": the daily meal would be free again
    error = shop.refused()
    assert error.error is LedgerErrorId.CLOCK_BEHIND
    assert "时钟" in error.message("zh_CN") and "同步" in error.message("zh_CN")
    assert "clock" in error.message("en") and "sync" in error.message("en")
    assert "1440" in error.message("en")  # minutes behind
    assert shop.count(RedemptionRow) == 1  # nothing recorded ...
    assert shop.count(AuditRow, kind="time_anomaly") == 1  # ... but the attempt is audited
    assert shop.ledger.verify_audit().ok


def test_a_clock_within_the_tolerance_is_not_refused(shop: Shop) -> None:
    shop.redeem()
    shop.clock.now += DAY
    shop.redeem()
    shop.clock.now -= TOLERANCE_SECONDS  # the PC's clock stepped back a little
    shop.clock.now += DAY
    shop.redeem()
    assert shop.count(AuditRow, kind="time_anomaly") == 0


def test_elapsed_monotonic_time_since_the_sync_raises_the_mark(shop: Shop) -> None:
    with shop.ledger.write() as s:
        from merchant_pos.store.engine import raw_connection
        from merchant_pos.store.trusted_time import reset_mark
        reset_mark(raw_connection(s), START, shop.mono(), shop.ledger)
    shop.mono.now += 2 * 3600  # two hours really passed ...
    shop.clock.now += 600      # ... but the clock says ten minutes
    assert shop.refused().error is LedgerErrorId.CLOCK_BEHIND
    shop.clock.now += 2 * 3600
    shop.redeem()


def test_a_sync_resets_a_mark_that_ran_into_the_future(shop: Shop) -> None:
    shop.clock.now += 3 * DAY  # the clock ran ahead; a meal was recorded then
    shop.redeem()
    shop.clock.now -= 3 * DAY  # fixed by hand: now behind the last redemption
    assert shop.refused().error is LedgerErrorId.CLOCK_BEHIND
    SyncLedger(shop.ledger).reset_trusted_time(shop.clock.now)  # a successful sync
    shop.clock.now += DAY
    shop.redeem()
    anomalies = [r for r in _anomalies(shop)]
    assert [a["why"] for a in anomalies] == ["clock_behind", "ran_ahead"]


def _anomalies(shop: Shop) -> list[dict[str, object]]:
    with shop.ledger.read() as s:
        return [json.loads(p) for p in s.scalars(select(AuditRow.payload).where(
            AuditRow.kind == "time_anomaly").order_by(AuditRow.seq))]


def test_rollback_through_the_real_sync_engine_and_server(world: ShiftableWorld,
                                                          tmp_path: Path) -> None:
    """The PC clock set back a day while offline: refused; once it syncs, the engine's
    corrected clock is right again and the counter redeems (at the server's time)."""
    shifted = {"by": 0.0}
    pos = PosDevice(tmp_path / "pos")
    pos.clock._local = lambda: time.time() + shifted["by"]
    try:
        pos.enroll(world.url, world.enrollment_code())
        assert pos.engine.sync_now().ok
        code = world.beneficiary_code()
        pos.redeem(code, 100)
        shifted["by"] = -DAY
        with pytest.raises(LedgerError) as err:
            pos.redeem(code, 100)
        assert err.value.error is LedgerErrorId.CLOCK_BEHIND
        report = pos.engine.sync_now()
        assert report.ok, report.message("en")
        pos.session = pos.operators.sign_in("店长", "2468")  # the jump locked the screen
        rid = pos.redeem(code, 100)
        assert pos.engine.sync_now().ok
        assert abs(world.stored()[rid]["covered"] - 100) == 0
        assert pos.ledger.verify_audit().ok
    finally:
        pos.close()


_CHILD = """
import json, sys, uuid, time
from merchant_pos.domain import CartLine
from merchant_pos.store import Ledger, LedgerError, OperatorRegistry, RedemptionService
folder, code = sys.argv[1], sys.argv[2]
with Ledger.open(folder) as ledger:
    ops = OperatorRegistry(ledger)
    service = RedemptionService(ledger, ops)
    try:
        service.redeem(str(uuid.uuid4()), code, [CartLine("meal", 1500)],
                       ops.sign_in("李收银", "1234"))
        print(json.dumps({"ok": True, "time": time.time()}))
    except LedgerError as exc:
        print(json.dumps({"error": exc.error.value, "time": time.time()}))
"""


def test_faketime_around_a_real_process(tmp_path: Path) -> None:
    assert shutil.which("faketime"), "install Debian's faketime (scripts/bootstrap.sh does)"
    now = int(time.time())
    real = Shop(tmp_path / "data", now)
    real.ledger.clock = lambda: int(time.time())
    real.redeem()
    code = real.code
    real.ledger.close()

    def child(offset: str) -> dict[str, object]:
        env = {**os.environ, "DONT_FAKE_MONOTONIC": "1",
               "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
        done = subprocess.run(["faketime", "-f", offset, sys.executable, "-c", _CHILD,
                               str(tmp_path / "data"), code], env=env, capture_output=True,
                              text=True, timeout=120, check=True)
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))

    back = child("-1d")
    assert back["error"] == "clock_behind"
    assert float(str(back["time"])) < now - DAY / 2  # faketime really moved its clock
    forward = child("+2d")  # a clock ahead is not refused (the server flags the future)
    assert forward.get("ok") is True
