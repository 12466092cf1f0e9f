"""A real synced ledger (the real embedded server, the real sync engine), built once per
module, and a fresh copy of its data folder for every tamper."""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from merchant_pos.store import Ledger, LedgerError, OperatorRole
from merchant_pos.store.audit import GENESIS_HASH, canonical_json
from merchant_pos.store.device_secret import DeviceSecretStore
from tests.sync.world import PosDevice, ServerWorld

SUPERVISOR, SUPERVISOR_PIN = "店长", "2468"
CASHIER, CASHIER_PIN = "李收银", "1357"


@dataclass(frozen=True)
class SyncedLedger:
    folder: Path
    synced: tuple[str, ...]     # redemptions the server has (accepted)
    voided: str                 # a synced redemption voided, the void synced
    pending: tuple[str, ...]    # recorded after the last sync, not uploaded
    pending_void: str           # a pending redemption voided, not uploaded


def build_synced(root: Path, world: ServerWorld) -> SyncedLedger:
    pos = PosDevice(root)
    try:
        pos.enroll(world.url, world.enrollment_code())
        assert pos.engine.sync_now().ok
        pos.operators.add_operator(pos.session, CASHIER, OperatorRole.CASHIER, CASHIER_PIN)
        code = world.beneficiary_code()
        synced = [pos.redeem(code, 100 + i) for i in range(4)]
        pos.service.void(synced[1], void_id=_uuid(1), supervisor_name=SUPERVISOR,
                         supervisor_pin=SUPERVISOR_PIN, reason="顾客退货")
        for _ in range(3):
            with pytest.raises(LedgerError):
                pos.operators.authenticate(CASHIER, "0000")
        report = pos.engine.sync_now()
        assert report.ok and report.pushed == 5, report.message("en")
        pending = [pos.redeem(code, 200 + i) for i in range(3)]
        pos.service.void(pending[0], void_id=_uuid(2), supervisor_name=SUPERVISOR,
                         supervisor_pin=SUPERVISOR_PIN, reason="输错金额")
        assert pos.ledger.verify_audit().ok
    finally:
        pos.close()
    return SyncedLedger(root, tuple(synced), synced[1], tuple(pending), pending[0])


def _uuid(n: int) -> str:
    return f"{n:08x}-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def synced_original(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncedLedger]:
    root = tmp_path_factory.mktemp("synced")
    world = ServerWorld(root / "server").start()
    try:
        yield build_synced(root / "pos", world)
    finally:
        world.stop()


@pytest.fixture
def synced(synced_original: SyncedLedger, tmp_path: Path) -> SyncedLedger:
    """A copy of the synced data folder (ledger, its WAL, the device secret, the token)."""
    folder = tmp_path / "copy"
    shutil.copytree(synced_original.folder, folder)
    return SyncedLedger(folder, synced_original.synced, synced_original.voided,
                        synced_original.pending, synced_original.pending_void)


def raw(folder: Path) -> sqlite3.Connection:
    """The file as a tamperer opens it: plain sqlite3, no triggers in the way."""
    db = sqlite3.connect(folder / "ledger.sqlite3", isolation_level=None)
    db.execute("DROP TRIGGER IF EXISTS audit_head_forward_only")
    db.execute("DROP TRIGGER IF EXISTS audit_head_kept")
    return db


def verify(folder: Path) -> tuple[bool, set[str], str]:
    with Ledger.open(folder, background_checkpoints=False) as ledger:
        result = ledger.verify_audit()
    return result.ok, {f.id.value for f in result.findings}, result.message("en")


def secret_of(folder: Path) -> bytes:
    found = DeviceSecretStore(folder, use_keyring=False).load()
    assert found is not None
    return found


def rechain(db: sqlite3.Connection, key: bytes | None, *, renumber: bool = False) -> None:
    """Recompute every link (and the head) as a tamperer would: with plain SHA-256
    (``key=None``, all the file gives) or with the device secret (who holds the keyring)."""
    rows = db.execute("SELECT seq, at, kind, operator_id, payload FROM audit_log "
                      "ORDER BY seq").fetchall()
    db.execute("BEGIN")
    db.execute("DELETE FROM audit_log")
    prev = GENESIS_HASH
    for n, (seq, at, kind, op, payload) in enumerate(rows, start=1):
        seq = n if renumber else seq
        content = canonical_json([seq, at, kind, op, payload]).encode() + bytes.fromhex(prev)
        digest = (hashlib.sha256(content).hexdigest() if key is None
                  else hmac.new(key, content, hashlib.sha256).hexdigest())
        db.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (seq, at, kind, op, payload, prev, digest))
        prev = digest
    last = rows[-1][0] if rows and not renumber else len(rows)
    db.execute("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (last, prev))
    db.execute("COMMIT")


def audit_seq_of(db: sqlite3.Connection, kind: str, ref: str) -> int:
    for seq, payload in db.execute("SELECT seq, payload FROM audit_log WHERE kind = ?",
                                   (kind,)):
        if json.loads(payload).get("id") == ref:
            return int(seq)
    raise AssertionError(f"no {kind} row for {ref}")


class ShiftableWorld(ServerWorld):
    """The reference server whose clock the test can move (``offset`` seconds ahead)."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.offset = 0.0
        self.server.clock = lambda: time.time() + self.offset


@pytest.fixture
def world(tmp_path: Path) -> Iterator[ShiftableWorld]:
    server = ShiftableWorld(tmp_path / "server")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def device(world: ShiftableWorld, tmp_path: Path) -> Iterator[PosDevice]:
    """An enrolled counter with a cashier and two synced redemptions (anchored)."""
    pos = PosDevice(tmp_path / "pos")
    pos.enroll(world.url, world.enrollment_code())
    assert pos.engine.sync_now().ok
    pos.operators.add_operator(pos.session, CASHIER, OperatorRole.CASHIER, CASHIER_PIN)
    code = world.beneficiary_code()
    for amount in (100, 101):
        pos.redeem(code, amount)
    assert pos.engine.sync_now().ok
    yield pos
    pos.close()
