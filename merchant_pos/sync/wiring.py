"""Putting the sync engine together for the app, the CLI and the UI worker.

The ledger must use the same corrected clock as the engine, so open it like this::

    clock = CorrectedClock()
    ledger = Ledger.open(data_dir, clock=clock.now)
    engine = build_engine(ledger, clock, data_dir=data_dir)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from merchant_pos.store.ledger import Ledger
from merchant_pos.store.paths import data_dir as default_data_dir
from merchant_pos.sync.clock import CorrectedClock
from merchant_pos.sync.engine import SyncEngine
from merchant_pos.sync.ledger_port import SyncLedger
from merchant_pos.sync.token_store import TokenStore


def token_store_for(data_dir: str | Path | None = None) -> TokenStore:
    """The device token's home: the OS keyring, else a user-only file in the data dir."""
    return TokenStore(default_data_dir(data_dir))


def build_engine(ledger: Ledger, clock: CorrectedClock, *,
                 data_dir: str | Path | None = None, **options: Any) -> SyncEngine:
    """A :class:`SyncEngine` on ``ledger``; ``options`` go to its constructor."""
    return SyncEngine(SyncLedger(ledger), token_store_for(data_dir), clock=clock, **options)
