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
from merchant_pos.domain.unlock_code import device_key
from merchant_pos.store import (
    Ledger,
    MerchantSettingsStore,
    OperatorRegistry,
    OperatorRole,
    RedemptionService,
)
from merchant_pos.store.device_settings import StartSettings, start_settings
from merchant_pos.store.paths import data_dir as default_data_dir
from merchant_pos.store.settings import CounterSettings
from merchant_pos.store.staff import StaffManager
from merchant_pos.sync.clock import CorrectedClock
from merchant_pos.sync.engine import SERVER_URL, SyncEngine
from merchant_pos.sync.enrollment import enroll_device
from merchant_pos.sync.ledger_port import SyncLedger
from merchant_pos.sync.token_store import DeviceToken, TokenStore

# Demo PINs pass the strength rule (store/pin_policy.py); the README names them.
DEMO_SUPERVISOR, DEMO_SUPERVISOR_PIN = "店长", "2791"
DEMO_CASHIER, DEMO_CASHIER_PIN = "收银员", "3658"


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

    def staff(self) -> StaffManager:
        """Staff management; one-time server unlock codes are checked with the device token."""
        tokens = self.sync.tokens if self.sync is not None else None

        def unlock_key() -> tuple[str, bytes] | None:
            token = tokens.load() if tokens is not None else None
            return None if token is None else (token.device_id, device_key(token.secret))

        return StaffManager(self.operators, unlock_key)

    def start_settings(self, *, camera: str | None = None, decoder: str | None = None,
                       language: str | None = None) -> StartSettings:
        """Camera, decoder and language saved on the settings screen (flags override)."""
        return start_settings(CounterSettings(self.ledger), camera=camera, decoder=decoder,
                              language=language)


def open_pos(data_dir: Path, *, use_keyring: bool = True) -> PosContext:
    """Open this counter's ledger and, when it is enrolled, its sync engine."""
    clock = CorrectedClock()
    ledger = Ledger.open(data_dir, clock=lambda: int(clock.now()))
    operators = OperatorRegistry(ledger, require_strong_pins=True)
    tokens = TokenStore(data_dir, use_keyring=use_keyring)
    # The push of a large backlog from a child process (sync.push_process) stays off: the
    # stall bench shows no gain from it on a 2-core machine yet, and a frozen bundle has no
    # `python -m` to start the child with.
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
    from merchant_pos.server.demo_samples import make_samples, write_index
    from merchant_pos.server.demo_seed import seed_demo, write_demo_files
    from merchant_pos.server.embedded import EmbeddedServer

    folder.mkdir(parents=True, exist_ok=True)
    seed_file = folder / "server" / "demo.json"
    server = EmbeddedServer(f"sqlite:///{folder / 'server.sqlite3'}")
    base_url = server.start()
    if not seed_file.exists():
        assert server.engine is not None
        now = int(time.time())
        seed = seed_demo(server.engine, now=now)
        write_demo_files(seed, seed_file.parent)
        write_index(seed, make_samples(server.engine, now=now), seed_file.parent)
    seed_data = json.loads(seed_file.read_text(encoding="utf-8"))
    pos = open_pos(demo_pos_folder(folder, merchant), use_keyring=False)
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
        staff = pos.staff()
        boss = staff.create_first_supervisor(DEMO_SUPERVISOR, DEMO_SUPERVISOR_PIN).operator
        staff.add(boss, DEMO_CASHIER, OperatorRole.CASHIER, DEMO_CASHIER_PIN)
    return DemoWorld(server, base_url, pos, seed_data)


def demo_pos_folder(folder: Path, merchant: str) -> Path:
    """The demo counter's data folder (ledger, logs) inside the demo's folder."""
    return folder / f"pos-{merchant}"


def default_folder(data_dir: str | None) -> Path:
    return default_data_dir(data_dir)
