"""Disk full, read-only disk or file, locked database: refused clearly, nothing partial.

Disk-full and read-only-disk tests mount a small real tmpfs (needs root, as in
CI; skipped elsewhere). The size-ceiling test uses SQLite's ``max_page_count``
to make the database itself full and runs everywhere.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from merchant_pos.domain import CartLine
from merchant_pos.domain.claims import Entitlement, Period, Unit
from merchant_pos.store import (
    Ledger,
    LedgerError,
    LedgerErrorId,
    OperatorRegistry,
    RedemptionService,
)
from merchant_pos.store.models import AuditRow, OutboxRow, RedemptionDrawRow, RedemptionRow
from tests.store.conftest import FAST_PINS, FakeClock, configure
from tests.support.codes import claims, issuer_key, make_code

DEEP_POCKET = (Entitlement("big", ("formula",), Unit.FEN, 10**12, Period.TOTAL),)

LINES = [CartLine("formula", 100)]


def counts(ledger: Ledger) -> tuple[int, ...]:
    with ledger.read() as s:
        return tuple(int(s.scalar(select(func.count()).select_from(m)) or 0)
                     for m in (RedemptionRow, RedemptionDrawRow, OutboxRow, AuditRow))


@contextlib.contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def open_counter(folder: Path, busy_timeout_ms: int = 5000) -> tuple[Ledger, RedemptionService,
                                                                     str, object]:
    key = issuer_key()
    ledger = Ledger.open(folder, clock=FakeClock(), busy_timeout_ms=busy_timeout_ms)
    configure(ledger, key)
    operators = OperatorRegistry(ledger, hasher=FAST_PINS)
    operators.create_first_supervisor("王主管", "9999")
    code = make_code(key, claims(ent=DEEP_POCKET))
    return ledger, RedemptionService(ledger, operators), code, \
        operators.sign_in("王主管", "9999")


def fill(folder: Path) -> Path:
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        block = b"\0" * 65536
        while True:
            try:
                os.write(fd, block)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                if len(block) == 1:
                    break
                block = block[: len(block) // 2]
    finally:
        os.close(fd)
    return filler


def test_disk_full_refuses_the_redemption_and_leaves_nothing(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "4m") as disk:
        ledger, service, code, cashier = open_counter(disk)
        service.redeem(str(uuid.uuid4()), code, LINES, cashier)  # type: ignore[arg-type]
        with ledger.engine.connect() as conn:  # WAL to zero bytes: the next write must grow it
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        before = counts(ledger)
        filler = fill(disk)
        the_id = str(uuid.uuid4())
        with pytest.raises(LedgerError) as err:
            service.redeem(the_id, code, LINES, cashier)  # type: ignore[arg-type]
        assert err.value.error in (LedgerErrorId.DISK_FULL, LedgerErrorId.IO_ERROR)
        assert "磁盘" in err.value.message("zh_CN") and "disk" in err.value.message("en")
        filler.unlink()
        assert counts(ledger) == before
        assert ledger.integrity_ok() and ledger.verify_audit().ok
        receipt = service.redeem(the_id, code, LINES, cashier)  # type: ignore[arg-type]
        assert not receipt.already_recorded
        assert counts(ledger)[0] == before[0] + 1
        ledger.close()


def test_database_size_ceiling_refuses_cleanly(tmp_path: Path) -> None:
    ledger, service, code, cashier = open_counter(tmp_path / "d")
    ledger.engine.dispose()

    @event.listens_for(ledger.engine, "connect")
    def _ceiling(dbapi_conn: object, _rec: object) -> None:
        cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
        pages = cur.execute("PRAGMA page_count").fetchone()[0]
        cur.execute(f"PRAGMA max_page_count = {pages + 2}")
        cur.close()

    done = 0
    with pytest.raises(LedgerError) as err:
        for _ in range(5000):
            service.redeem(str(uuid.uuid4()), code, LINES, cashier)  # type: ignore[arg-type]
            done += 1
    assert err.value.error is LedgerErrorId.DISK_FULL
    assert done > 0
    c = counts(ledger)
    assert c[0] == done and c[1] == done and c[2] == done
    assert ledger.integrity_ok() and ledger.verify_audit().ok
    ledger.close()


def test_read_only_disk_refuses_the_redemption_and_keeps_everything(tmp_path: Path) -> None:
    """The data folder seen through a read-only bind mount (a disk gone read-only)."""
    folder = tmp_path / "rw"
    ledger, service, code, cashier = open_counter(folder)
    service.redeem(str(uuid.uuid4()), code, LINES, cashier)  # type: ignore[arg-type]
    before = counts(ledger)
    ledger.close()
    view = tmp_path / "ro-view"
    view.mkdir()
    if os.geteuid() != 0:
        pytest.skip("bind mounts need root")
    if subprocess.run(["mount", "--bind", str(folder), str(view)], check=False).returncode:
        pytest.skip("cannot bind-mount here")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], check=True)
        with pytest.raises(LedgerError) as err:
            ro = Ledger.open(view, clock=FakeClock())
            try:
                again = RedemptionService(ro, OperatorRegistry(ro, hasher=FAST_PINS))
                boss = again.operators.sign_in("王主管", "9999")
                again.redeem(str(uuid.uuid4()), code, LINES, boss)
            finally:
                ro.close()
        assert err.value.error is LedgerErrorId.READ_ONLY, err.value
        assert "只读" in err.value.message("zh_CN") and "read-only" in err.value.message("en")
    finally:
        subprocess.run(["umount", "-l", str(view)], check=False)
    with Ledger.open(folder) as rw:
        assert counts(rw) == before and rw.integrity_ok() and rw.verify_audit().ok


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make ``path`` really read-only: chmod for a user, the immutable flag for root."""
    if os.geteuid() != 0:
        os.chmod(path, 0o444)
        try:
            yield
        finally:
            os.chmod(path, 0o644)
        return
    if shutil.which("chattr") is None or subprocess.run(
            ["chattr", "+i", str(path)], capture_output=True, check=False).returncode:
        pytest.skip("root ignores file modes and this filesystem has no immutable flag")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_read_only_ledger_file_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    ledger, service, code, cashier = open_counter(folder)
    service.redeem(str(uuid.uuid4()), code, LINES, cashier)  # type: ignore[arg-type]
    before = counts(ledger)
    ledger.close()
    size = ledger.path.stat().st_size
    with read_only(ledger.path):
        with pytest.raises(LedgerError) as err:
            Ledger.open(folder)
        assert err.value.error is LedgerErrorId.READ_ONLY
        assert "只读" in err.value.message("zh_CN") and "read-only" in err.value.message("en")
        assert ledger.path.stat().st_size == size
    with Ledger.open(folder) as again:
        assert counts(again) == before and again.integrity_ok()


_HOLD_LOCK = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()
db.execute("ROLLBACK")
"""


def test_locked_database_refuses_the_redemption(tmp_path: Path) -> None:
    ledger, service, code, cashier = open_counter(tmp_path / "l", busy_timeout_ms=300)
    before = counts(ledger)
    holder = subprocess.Popen([sys.executable, "-c", _HOLD_LOCK, str(ledger.path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        the_id = str(uuid.uuid4())
        with pytest.raises(LedgerError) as err:
            service.redeem(the_id, code, LINES, cashier)  # type: ignore[arg-type]
        assert err.value.error is LedgerErrorId.LOCKED
        assert "占用" in err.value.message("zh_CN") and "busy" in err.value.message("en")
        assert service.quote(code, LINES).covered == 100  # readers are not blocked (WAL)
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=10)
        if holder.stdout is not None:
            holder.stdout.close()
    assert counts(ledger) == before
    service.redeem(the_id, code, LINES, cashier)  # type: ignore[arg-type]
    assert counts(ledger)[0] == before[0] + 1
    ledger.close()
