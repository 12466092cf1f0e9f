"""The real parts the sync tests run on: the reference server on loopback (its own
SQLite file, set up through its admin functions) and POS devices (each a real
ledger file, operators, the redemption service and the sync engine)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from merchant_pos.domain.claims import Entitlement, Period, Unit
from merchant_pos.domain.quote import CartLine
from merchant_pos.server import admin
from merchant_pos.server.device_tokens import TokenPolicy
from merchant_pos.server.embedded import EmbeddedServer
from merchant_pos.server.schema import redemptions
from merchant_pos.store import Ledger, OperatorRegistry, PinHasher, RedemptionService
from merchant_pos.sync.clock import CorrectedClock
from merchant_pos.sync.engine import SyncEngine
from merchant_pos.sync.enrollment import enroll_device
from merchant_pos.sync.ledger_port import SyncLedger
from merchant_pos.sync.retry import RetryPolicy
from merchant_pos.sync.token_store import TokenStore

ISS = "demo-foundation"
FOOD = "food-2026"       # generous: thousands of redemptions per beneficiary
BABY = "baby-2026"       # tight: one 50-yuan voucher, for double spends
FAST_PINS = PinHasher(n=2**8)


class ServerWorld:
    """The reference server on a loopback port with two programs and merchants."""

    def __init__(self, directory: Path, clock_offset: float = 0.0,
                 tokens: TokenPolicy | None = None) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.db_url = f"sqlite:///{directory / 'server.sqlite3'}"
        self.clock_offset = clock_offset  # may be moved while the server runs
        self.server = EmbeddedServer(self.db_url, clock=lambda: time.time() + self.clock_offset,
                                     tokens=tokens or TokenPolicy())
        self.url = ""

    def start(self) -> ServerWorld:
        self.url = self.server.start()
        now = int(time.time())
        engine = self.engine
        admin.create_key(engine, iss=ISS, now=now)
        admin.create_program(
            engine, id=FOOD, name_zh="食品补贴", name_en="Food aid", tz="Asia/Shanghai",
            iss=ISS, cats=[admin.Category("food", "食品", "Food")],
            entitlements=[Entitlement("food", ("food",), Unit.FEN, 10**10, Period.TOTAL)],
            code_valid_days=30, now=now)
        admin.create_program(
            engine, id=BABY, name_zh="母婴券", name_en="Baby vouchers", tz="Asia/Shanghai",
            iss=ISS, cats=[admin.Category("formula", "奶粉", "Formula")],
            entitlements=[Entitlement("v1", ("formula",), Unit.FEN, 5000, Period.TOTAL)],
            code_valid_days=30, now=now)
        for merchant_id, name, cap in (("M-A", "甲商店", 10**12), ("M-B", "乙商店", 10**12),
                                       ("M-CAP", "丙商店", 1000)):
            admin.create_merchant(engine, id=merchant_id, name=name, kind="baby_shop",
                                  program_ids=[FOOD, BABY], max_offline_hours=72,
                                  max_unsynced_covered=cap, now=now)
        return self

    def stop(self) -> None:
        self.server.stop()

    @property
    def engine(self) -> Any:
        assert self.server.engine is not None
        return self.server.engine

    def enrollment_code(self, merchant_id: str = "M-A", hours: float = 1.0,
                        now: int | None = None) -> str:
        return admin.create_enrollment_code(self.engine, merchant_id, hours=hours,
                                            now=int(time.time()) if now is None else now)

    def beneficiary_code(self, program: str = FOOD) -> str:
        now = int(time.time())
        sub = admin.add_beneficiary(self.engine, program_id=program, name="马小花", now=now)
        return admin.issue_beneficiary_code(self.engine, sub, now=now).text

    def stored(self) -> dict[str, dict[str, Any]]:
        """uuid → {kind, status, device_id, covered} of every item the server holds."""
        r = redemptions.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(r.uuid, r.kind, r.status, r.device_id, r.covered,
                                       r.voided_by)).all()
        return {row.uuid: {"kind": row.kind, "status": row.status, "device_id": row.device_id,
                           "covered": row.covered, "voided_by": row.voided_by} for row in rows}

    def row_count(self) -> int:
        with self.engine.connect() as conn:
            return len(conn.execute(select(redemptions.c.id)).all())


@dataclass
class PosDevice:
    """One POS: its own data dir, ledger file, operators, redemption service, engine."""

    data_dir: Path
    retry: RetryPolicy = field(default_factory=lambda: RetryPolicy(base_delay=0.01,
                                                                   max_delay=0.05,
                                                                   max_attempts=4))
    batch_size: int = 200
    page_size: int = 500
    read_timeout: float = 10.0

    def __post_init__(self) -> None:
        self.enroll_waits: list[float] = []
        self.clock = CorrectedClock()
        self.ledger = Ledger.open(self.data_dir, clock=self.clock.now)
        self.sync_ledger = SyncLedger(self.ledger)
        self.tokens = TokenStore(self.data_dir, use_keyring=False)
        self.engine = SyncEngine(self.sync_ledger, self.tokens, clock=self.clock,
                                 retry=self.retry, batch_size=self.batch_size,
                                 page_size=self.page_size,
                                 connect_timeout=2.0, read_timeout=self.read_timeout)
        self.operators = OperatorRegistry(self.ledger, hasher=FAST_PINS)
        if self.operators.needs_first_supervisor():
            self.operators.create_first_supervisor("店长", "2468")
        self.session = self.operators.sign_in("店长", "2468")
        self.service = RedemptionService(self.ledger, self.operators)

    def enroll(self, url: str, code: str, **kwargs: Any) -> Any:
        kwargs.setdefault("retry", RetryPolicy(base_delay=0.01, max_delay=0.02, max_attempts=4))
        kwargs.setdefault("wait", self._enroll_wait)
        return enroll_device(self.sync_ledger, self.tokens, url, code, "counter-1",
                             clock=self.clock, **kwargs)

    def _enroll_wait(self, seconds: float) -> bool:
        self.enroll_waits.append(seconds)  # counted, not slept: the tests do not wait
        return True

    def redeem(self, code: str, amount: int = 100, cat: str = "food") -> str:
        rid = str(uuid.uuid4())
        self.service.redeem(rid, code, [CartLine(cat, amount)], self.session)
        return rid

    def local_statuses(self) -> dict[str, str]:
        from merchant_pos.store.models import RedemptionRow
        with self.ledger.read() as session:
            return dict(session.execute(select(RedemptionRow.id, RedemptionRow.status)).all())

    def outbox(self) -> dict[str, str]:
        from merchant_pos.store.models import OutboxRow
        with self.ledger.read() as session:
            return dict(session.execute(select(OutboxRow.entry_id, OutboxRow.status)).all())

    def close(self) -> None:
        self.ledger.close()
