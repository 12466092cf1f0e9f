"""Nothing to steal in the data folder: file modes, keyed PIN hashes, sealed backups, and
no code text the server already accepted, anywhere (ledger, -wal, backups, free pages)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import stat
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from merchant_pos.domain import CartLine
from merchant_pos.domain.issuing import IssuerKey
from merchant_pos.printing.build import receipt_content
from merchant_pos.store import (
    Ledger,
    LedgerError,
    LedgerErrorId,
    OperatorRegistry,
    OperatorRole,
    PinHasher,
    PushOutcome,
    PushResult,
    RedemptionOutbox,
    RedemptionService,
)
from merchant_pos.store.backups import backup_revision, restore, seal_bytes, unseal
from merchant_pos.store.device_secret import (
    SECRET_FILE,
    SECRET_FOLDER,
    DeviceSecretStore,
    subkey,
)
from merchant_pos.store.migrate import read_revision
from merchant_pos.store.models import OperatorRow, OutboxRow, RedemptionRow, SettingRow
from merchant_pos.store.paths import BACKUP_DIR
from merchant_pos.sync.token_store import DeviceToken, TokenStore
from tests.store.conftest import FAST_PINS, Counter, FakeClock, configure
from tests.store.test_migrations import V1_FIXTURE, V1_IDS
from tests.support.files import files_holding

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def v1_codes() -> tuple[str, str]:
    db = sqlite3.connect(f"{V1_FIXTURE.as_uri()}?mode=ro", uri=True)
    rows = dict(db.execute("SELECT id, code_text FROM redemptions").fetchall())
    db.close()
    return rows[V1_IDS[0]], rows[V1_IDS[1]]


@pytest.fixture
def v1_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    os.chmod(folder, 0o755)
    shutil.copyfile(V1_FIXTURE, folder / "ledger.sqlite3")
    os.chmod(folder / "ledger.sqlite3", 0o644)
    return folder


@posix_only
def test_the_data_folder_is_0700_and_every_file_in_it_0600(tmp_path: Path, clock: FakeClock,
                                                           key: IssuerKey) -> None:
    folder = tmp_path / "data"
    old = os.umask(0o022)
    try:
        with Ledger.open(folder, clock=clock, background_checkpoints=False) as ledger:
            configure(ledger, key)  # some writes: -wal and -shm exist now
            TokenStore(folder, use_keyring=False).save(DeviceToken("https://x", "D1", "s3cr3t"))
            assert Path(f"{ledger.path}-wal").exists() and Path(f"{ledger.path}-shm").exists()
            assert mode(folder) == 0o700
            files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                           if p.is_file())
            assert files == [f"{SECRET_FOLDER}/{SECRET_FILE}", "device-credentials.json",
                             "ledger.sqlite3", "ledger.sqlite3-shm", "ledger.sqlite3-wal"]
            assert {f: mode(folder / f) for f in files} == dict.fromkeys(files, 0o600)
            assert mode(folder / SECRET_FOLDER) == 0o700
    finally:
        os.umask(old)


@posix_only
def test_an_old_world_readable_folder_and_backup_are_closed(v1_folder: Path) -> None:
    with Ledger.open(v1_folder, clock=FakeClock()) as ledger:
        assert ledger.backup_taken is not None
        assert mode(v1_folder) == 0o700 and mode(ledger.path) == 0o600
        assert mode(v1_folder / BACKUP_DIR) == 0o700 and mode(ledger.backup_taken) == 0o600


def test_v1_migration_keys_the_pins_and_keeps_only_the_pending_code(v1_folder: Path) -> None:
    accepted_code, pending_code = v1_codes()
    db = sqlite3.connect(v1_folder / "ledger.sqlite3")  # a recovery code from before, too
    db.execute("INSERT INTO settings VALUES ('staff.recovery_code_hash', ?)",
               (json.dumps(PinHasher(n=2**8).hash("K7PQ-M2XW-R9TB")),))
    db.commit()
    db.close()
    with Ledger.open(v1_folder, clock=FakeClock()) as ledger:
        with ledger.read() as s:
            pins = s.scalars(select(OperatorRow.pin_hash)).all()
            recovery = json.loads(s.scalars(select(SettingRow.value).where(
                SettingRow.key == "staff.recovery_code_hash")).one())
            rows = {r.id: r for r in s.scalars(select(RedemptionRow)).all()}
            payloads = dict(s.execute(select(OutboxRow.entry_id, OutboxRow.payload)).all())
        assert len(pins) == 2 and all(p.startswith("kscrypt$") for p in pins)
        accepted, pending = rows[V1_IDS[0]], rows[V1_IDS[1]]
        assert accepted.code_text == "" and payloads[V1_IDS[0]] == ""
        assert pending.code_text == pending_code and pending_code in payloads[V1_IDS[1]]
        assert accepted.code_sha256 == hashlib.sha256(accepted_code.encode()).hexdigest()
        operators = OperatorRegistry(ledger, hasher=FAST_PINS)
        assert recovery.startswith("kscrypt$")
        assert operators.hasher.check("K7PQ-M2XW-R9TB", recovery)
        cashier = operators.sign_in("李收银", "1234")  # the same PINs, nobody re-enters one
        operators.supervisor("王主管", "9999")
        service = RedemptionService(ledger, operators)
        receipt = service.receipt(V1_IDS[0])
        assert receipt is not None and receipt.masked_name == "马*花"
        assert receipt.snapshot is not None and receipt.snapshot.prg == "jss-baby-2023"
        # v1 drew two of the four 50-yuan vouchers by then: two left after the first.
        assert sorted(receipt.snapshot.remaining.values()) == [0, 0, 5000, 5000]
        printed = receipt_content(ledger, V1_IDS[0], "en")  # a reprint, from the snapshot
        assert printed.beneficiary.startswith("马*花")
        assert sorted(r.left for r in printed.remaining) == [0, 0, 5000, 5000]
        # The same-id retry check still works on the digest alone.
        again = service.redeem(V1_IDS[0], accepted_code, [CartLine("formula", 6000)], cashier)
        assert again.already_recorded and again.receipt_no == "D01-000001"
        with pytest.raises(LedgerError) as err:
            service.redeem(V1_IDS[0], pending_code + "X", [CartLine("formula", 6000)], cashier)
        assert err.value.error is LedgerErrorId.ID_REUSED


def test_no_accepted_code_text_anywhere_in_the_folder(v1_folder: Path) -> None:
    _accepted, code = v1_codes()  # the fixture's two redemptions share one code
    with Ledger.open(v1_folder, clock=FakeClock()) as ledger:
        # Control: still pending, the code must be there (and the search finds it).
        assert "ledger.sqlite3" in files_holding(v1_folder, code)
        RedemptionOutbox(ledger).apply_results([PushResult(V1_IDS[1], PushOutcome.ACCEPTED)])
        assert files_holding(v1_folder, code) == []  # ledger, -wal, -shm, sealed backup
        assert sorted(p.name for p in (v1_folder / BACKUP_DIR).iterdir())[0].endswith(
            ".sqlite3.sealed")
        with ledger.engine.connect() as conn:  # deleted content is zeroed, not left behind
            assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1


def test_a_stolen_ledger_file_allows_no_offline_pin_search(counter: Counter,
                                                           tmp_path: Path) -> None:
    # A deliberately cheap scrypt cost, so the whole 4-digit space is searched in the
    # test: the point is that the key, not the cost, is what stops the search.
    cheap = OperatorRegistry(counter.ledger, hasher=PinHasher(n=16, r=1))
    boss = counter.operators.sign_in("王主管", "9999")
    cheap.add_operator(boss, "夜班", OperatorRole.CASHIER, "4821")
    assert counter.ledger.purge_wal()
    stolen = tmp_path / "stolen.sqlite3"
    shutil.copyfile(counter.ledger.path, stolen)
    db = sqlite3.connect(stolen)
    stored = dict(db.execute("SELECT name, pin_hash FROM operators").fetchall())["夜班"]
    db.close()
    scheme, n, r, p, salt, mac = stored.split("$")
    assert scheme == "kscrypt"
    # Every 4-digit PIN against the file alone: scrypt(pin, salt) never gives the stored
    # value, and no unkeyed check accepts it.
    hits = [guess for guess in (f"{i:04d}" for i in range(10_000))
            if hashlib.scrypt(guess.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                              p=int(p), dklen=32).hex() == mac]
    assert hits == []
    assert not PinHasher(n=16, r=1).check("4821", stored)
    assert not PinHasher(n=16, r=1).check("4821", stored.replace("kscrypt", "scrypt"))
    # Control: with the device secret (which is not in the file) the same search finds
    # exactly the PIN; with another device's secret, nothing.
    keyed = cheap.hasher
    assert [g for g in (f"{i:04d}" for i in range(10_000)) if keyed.check(g, stored)] == ["4821"]
    other = PinHasher(n=16, r=1).keyed(subkey(os.urandom(32), "pin"))
    assert not other.check("4821", stored)


def test_a_hash_written_into_the_file_by_hand_signs_nobody_in(counter: Counter) -> None:
    forged = PinHasher(n=2**8).hash("0000")  # what someone with the file alone can write
    with counter.ledger.write() as s:
        s.connection().exec_driver_sql("UPDATE operators SET pin_hash = ? WHERE name = ?",
                                       (forged, "王主管"))
    with pytest.raises(LedgerError) as err:
        counter.operators.sign_in("王主管", "0000")
    assert err.value.error is LedgerErrorId.WRONG_PIN


def test_losing_the_secret_is_noticed_and_pins_no_longer_check(tmp_path: Path,
                                                               key: IssuerKey) -> None:
    folder = tmp_path / "data"
    with Ledger.open(folder) as ledger:
        configure(ledger, key)
        OperatorRegistry(ledger, hasher=FAST_PINS).create_first_supervisor("王主管", "9999")
        assert not ledger.secret_replaced
    with Ledger.open(folder) as ledger:
        assert not ledger.secret_replaced
    (folder / SECRET_FOLDER / SECRET_FILE).unlink()  # keyring wiped, credentials lost
    with Ledger.open(folder) as ledger:
        assert ledger.secret_replaced  # -> the supervisor recovery of the staff issue
        with pytest.raises(LedgerError) as err:
            OperatorRegistry(ledger, hasher=FAST_PINS).sign_in("王主管", "9999")
        # Told apart from a wrong PIN (issue 13): the message names the way out.
        assert err.value.error is LedgerErrorId.PIN_KEY_CHANGED
        assert "unlock code" in err.value.message("en")
    with Ledger.open(folder) as ledger:
        assert not ledger.secret_replaced  # said once; the new secret is now the known one


def test_sealed_backups_open_only_with_the_secret_and_unaltered(v1_folder: Path,
                                                                tmp_path: Path) -> None:
    with Ledger.open(v1_folder, clock=FakeClock()) as ledger:
        sealed, secret = ledger.backup_taken, ledger.device_secret
    assert sealed is not None and backup_revision(sealed, secret) == "0001"
    plain = restore(sealed, secret, tmp_path / "restored.sqlite3")
    assert read_revision(plain) == "0001"
    for damage in (lambda b: b[:-1], lambda b: b[:40] + bytes([b[40] ^ 1]) + b[41:]):
        broken = tmp_path / f"broken-{uuid.uuid4().hex}.sealed"
        broken.write_bytes(damage(sealed.read_bytes()))
        with pytest.raises(LedgerError) as err:
            unseal(broken, secret)
        assert err.value.error is LedgerErrorId.CORRUPT
    with pytest.raises(LedgerError):
        unseal(sealed, os.urandom(32))
    # Several chunks: the order and the end are authenticated too.
    big = os.urandom(2_500_000)
    seal_bytes(big, tmp_path / "big.sealed", secret)
    assert unseal(tmp_path / "big.sealed", secret) == big


def test_a_plain_backup_left_by_an_older_version_is_sealed_and_removed(
        v1_folder: Path) -> None:
    old = v1_folder / BACKUP_DIR / "ledger-rev0001-20261129T000000Z.sqlite3"
    old.parent.mkdir()
    shutil.copyfile(V1_FIXTURE, old)
    with Ledger.open(v1_folder, clock=FakeClock()) as ledger:
        secret = ledger.device_secret
    names = sorted(p.name for p in old.parent.iterdir())
    assert not old.exists() and all(n.endswith(".sqlite3.sealed") for n in names)
    assert len(names) == 2
    assert backup_revision(old.parent / (old.stem + ".sqlite3.sealed"), secret) == "0001"
    assert files_holding(old.parent, v1_codes()[0]) == []


def test_one_secret_per_data_folder_and_it_is_not_in_the_ledger(tmp_path: Path) -> None:
    a = DeviceSecretStore(tmp_path / "a", use_keyring=False).load_or_create()
    b = DeviceSecretStore(tmp_path / "b", use_keyring=False).load_or_create()
    again = DeviceSecretStore(tmp_path / "a", use_keyring=False).load_or_create()
    assert a != b and again == a
    assert len({subkey(a, "pin"), subkey(a, "backup"), a}) == 3  # one key per use
    with Ledger.open(tmp_path / "c") as ledger:
        secret = ledger.device_secret
        assert ledger.purge_wal()
    assert secret not in (tmp_path / "c" / "ledger.sqlite3").read_bytes()
