"""Wiring: the ledger, the sync engine, the counter's services, and the embedded demo.

Qt-free except :func:`run_counter`, which imports the UI lazily.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from merchant_pos.demo_names import DEMO_MERCHANTS
from merchant_pos.store import (
    Ledger,
    MerchantSettingsStore,
    OperatorRegistry,
    OperatorRole,
    RedemptionService,
)
from merchant_pos.store.paths import data_dir as default_data_dir
from merchant_pos.sync.clock import CorrectedClock
from merchant_pos.sync.engine import SERVER_URL, SyncEngine
from merchant_pos.sync.enrollment import enroll_device
from merchant_pos.sync.ledger_port import SyncLedger
from merchant_pos.sync.token_store import DeviceToken, TokenStore

DEMO_SUPERVISOR, DEMO_SUPERVISOR_PIN = "店长", "1234"
DEMO_CASHIER, DEMO_CASHIER_PIN = "收银员", "5678"


@dataclass
class PosContext:
    """Everything one counter needs, independent of Qt."""

    data_dir: Path
    ledger: Ledger
    operators: OperatorRegistry
    redemptions: RedemptionService
    settings: MerchantSettingsStore
    sync: SyncEngine | None
    clock: CorrectedClock

    def close(self) -> None:
        self.ledger.close()


def open_pos(data_dir: Path, *, use_keyring: bool = True) -> PosContext:
    """Open this counter's ledger and, when it is enrolled, its sync engine."""
    clock = CorrectedClock()
    ledger = Ledger.open(data_dir, clock=lambda: int(clock.now()))
    operators = OperatorRegistry(ledger)
    tokens = TokenStore(data_dir, use_keyring=use_keyring)
    sync = SyncEngine(SyncLedger(ledger), tokens, clock=clock)
    return PosContext(data_dir, ledger, operators, RedemptionService(ledger, operators),
                      MerchantSettingsStore(ledger), sync, clock)


@dataclass
class DemoWorld:
    """The embedded reference server with demo data, and one enrolled counter."""

    server: Any  # merchant_pos.server.embedded.EmbeddedServer
    base_url: str
    pos: PosContext
    seed: dict[str, Any]

    def codes(self, program: str | None = None) -> list[str]:
        return [b["code"] for b in self.seed["beneficiaries"]
                if program is None or b["program"] == program]

    def close(self) -> None:
        self.pos.close()
        self.server.stop()


def start_demo(folder: Path, merchant: str = DEMO_MERCHANTS[0]) -> DemoWorld:
    """Start (or restart) the embedded demo in ``folder``: server, seed, enrolled POS."""
    from merchant_pos.server.demo_seed import seed_demo, write_demo_files
    from merchant_pos.server.embedded import EmbeddedServer

    folder.mkdir(parents=True, exist_ok=True)
    seed_file = folder / "server" / "demo.json"
    server = EmbeddedServer(f"sqlite:///{folder / 'server.sqlite3'}")
    base_url = server.start()
    if not seed_file.exists():
        assert server.engine is not None
        seed = seed_demo(server.engine, now=int(time.time()))
        write_demo_files(seed, seed_file.parent)
    seed_data = json.loads(seed_file.read_text(encoding="utf-8"))
    pos = open_pos(folder / f"pos-{merchant}", use_keyring=False)
    assert pos.sync is not None
    token = pos.sync.tokens.load()
    if token is None:
        enroll_device(pos.sync.ledger, pos.sync.tokens, base_url,
                      seed_data["enrollment_codes"][merchant], f"demo {merchant}",
                      clock=pos.clock)
    elif token.server_url != base_url:
        # The same demo server database on a new loopback port: the device and its
        # token are still valid there (enrollment codes are one-time), so follow it.
        pos.sync.tokens.save(DeviceToken(base_url, token.device_id, token.secret))
        pos.sync.ledger.set_setting(SERVER_URL, base_url)
    pos.sync.sync_now()
    if pos.operators.needs_first_supervisor():
        pos.operators.create_first_supervisor(DEMO_SUPERVISOR, DEMO_SUPERVISOR_PIN)
        session = pos.operators.sign_in(DEMO_SUPERVISOR, DEMO_SUPERVISOR_PIN)
        pos.operators.add_operator(session, DEMO_CASHIER, OperatorRole.CASHIER,
                                   DEMO_CASHIER_PIN)
    return DemoWorld(server, base_url, pos, seed_data)


def default_folder(data_dir: str | None) -> Path:
    return default_data_dir(data_dir)
