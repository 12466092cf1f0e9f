"""Start-up: pragmas checked, migrations with a backup, the v1 file upgraded, newer refused."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import time
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from merchant_pos.domain import CartLine
from merchant_pos.store import (
    Ledger,
    LedgerError,
    LedgerErrorId,
    OperatorRegistry,
    RedemptionOutbox,
    RedemptionService,
    RedemptionStatus,
)
from merchant_pos.store.migrate import head_revision, read_revision
from merchant_pos.store.models import Base, OutboxRow, RedemptionRow
from merchant_pos.store.paths import DATA_DIR_ENV, data_dir
from tests.store.conftest import FAST_PINS, FakeClock

V1_FIXTURE = Path(__file__).parents[1] / "data" / "db" / "ledger-v1.sqlite3"
V1_IDS = ("00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def v1_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data" / "ledger.sqlite3"
    target.parent.mkdir()
    shutil.copyfile(V1_FIXTURE, target)
    return target


def test_every_connection_has_the_safety_pragmas(ledger: Ledger) -> None:
    names = ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
    with ledger.engine.connect() as a, ledger.engine.connect() as b, \
            ledger.engine.connect() as c:
        assert len({id(x.connection.driver_connection) for x in (a, b, c)}) == 3
        for conn in (a, b, c):
            got = [conn.exec_driver_sql(f"PRAGMA {p}").scalar() for p in names]
            assert got == ["wal", 2, 1, 5000]


def test_a_foreign_key_violation_is_refused(ledger: Ledger) -> None:
    with pytest.raises(IntegrityError), ledger.write() as s:
        s.connection().exec_driver_sql(
            "INSERT INTO redemption_lines VALUES ('no-such-redemption', 0, 'x', 1, 1, 0)")


def test_a_database_that_cannot_take_wal_is_refused() -> None:
    with pytest.raises(LedgerError) as err:
        Ledger.open(path=Path(":memory:"))
    assert err.value.error is LedgerErrorId.PRAGMAS_NOT_APPLIED
    assert "WAL" in err.value.message("zh_CN") and "WAL" in err.value.message("en")


def test_migrated_schema_matches_the_models(ledger: Ledger) -> None:
    with ledger.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert read_revision(ledger.path) == head_revision()


def test_the_v1_fixture_really_is_version_one() -> None:
    assert read_revision(V1_FIXTURE) == "0001"
    cols = {r[1] for r in sqlite3.connect(f"{V1_FIXTURE.as_uri()}?mode=ro", uri=True)
            .execute("PRAGMA table_info(outbox)")}
    assert "attempts" not in cols


def test_upgrade_from_the_v1_file_backs_up_and_keeps_everything(v1_copy: Path) -> None:
    clock = FakeClock()
    with Ledger.open(v1_copy.parent, clock=clock) as ledger:
        assert ledger.backup_taken is not None
        assert read_revision(ledger.backup_taken) == "0001"
        assert read_revision(v1_copy) == head_revision()
        assert ledger.verify_audit().ok
        with ledger.read() as s:
            rows = {r.entry_id: r for r in s.scalars(select(OutboxRow)).all()}
        assert {r.attempts for r in rows.values()} == {0}
        assert rows[V1_IDS[0]].answered_at is not None and rows[V1_IDS[1]].answered_at is None
        pending = RedemptionOutbox(ledger).pending()
        assert [p.entry_id for p in pending] == [V1_IDS[1]]
        operators = OperatorRegistry(ledger, hasher=FAST_PINS)
        service = RedemptionService(ledger, operators)
        old = service.receipt(V1_IDS[1])
        assert old is not None and old.status is RedemptionStatus.PENDING
        with ledger.read() as s:
            code = s.scalars(select(RedemptionRow.code_text)).first()
        assert code is not None
        # The v1 draws still count: all four once-vouchers were opened by the two.
        assert service.quote(code, [CartLine("formula", 6000)]).covered == 0
        service.void(V1_IDS[1], void_id=str(uuid.uuid4()), supervisor_name="王主管",
                     supervisor_pin="9999", reason="升级后测试作废")
        assert service.quote(code, [CartLine("formula", 6000)]).covered == 6000
        cashier = operators.sign_in("李收银", "1234")
        receipt = service.redeem(str(uuid.uuid4()), code, [CartLine("formula", 6000)], cashier)
        assert receipt.receipt_no == "D01-000003"
        assert ledger.verify_audit().ok
    with Ledger.open(v1_copy.parent, clock=clock) as again:
        assert again.backup_taken is None  # already at head: no second backup


def test_a_database_from_a_newer_version_is_refused_untouched(v1_copy: Path) -> None:
    db = sqlite3.connect(v1_copy)
    db.execute("UPDATE alembic_version SET version_num = '0999'")
    db.commit()
    db.close()
    before = digest(v1_copy)
    with pytest.raises(LedgerError) as err:
        Ledger.open(v1_copy.parent)
    assert err.value.error is LedgerErrorId.DATABASE_TOO_NEW
    assert "升级" in err.value.message("zh_CN") and "newer" in err.value.message("en")
    assert digest(v1_copy) == before
    assert not Path(f"{v1_copy}-wal").exists()
    assert not (v1_copy.parent / "backups").exists()


def test_a_failed_migration_leaves_the_file_at_its_old_version(v1_copy: Path) -> None:
    db = sqlite3.connect(v1_copy)
    db.execute("CREATE INDEX ix_outbox_status_seq ON outbox (status)")  # 0002 will collide
    db.commit()
    db.close()
    with pytest.raises(LedgerError) as err:
        Ledger.open(v1_copy.parent)
    assert err.value.error is LedgerErrorId.MIGRATION_FAILED
    assert read_revision(v1_copy) == "0001"
    cols = {r[1] for r in sqlite3.connect(v1_copy).execute("PRAGMA table_info(outbox)")}
    assert "attempts" not in cols
    backups = list((v1_copy.parent / "backups").glob("*.sqlite3"))
    assert len(backups) == 1 and read_revision(backups[0]) == "0001"


def test_data_dir_override_and_environment(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "env"))
    assert data_dir() == tmp_path / "env"
    assert data_dir(tmp_path / "flag") == tmp_path / "flag"
    monkeypatch.delenv(DATA_DIR_ENV)
    assert "merchant-pos" in str(data_dir())
    with Ledger.open(tmp_path / "flag") as ledger:
        assert ledger.path == tmp_path / "flag" / "ledger.sqlite3"


def test_background_checkpoints_run_and_stop_with_the_ledger(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "c") as ledger:
        assert ledger.checkpointer is not None
        with ledger.write() as s:
            ledger.audit.append(s, at=1, kind="settings_change", operator_id=None,
                                payload={"what": "test"})
        deadline = time.monotonic() + 10
        while ledger.checkpointer.checkpoints < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ledger.checkpointer.checkpoints >= 2 and ledger.checkpointer.last_error is None
        with ledger.engine.connect() as conn:
            busy, log, done = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
        assert busy == 0 and log == done  # nothing left behind in the WAL
    assert not ledger.checkpointer._thread.is_alive()
