"""Ledger: redeem (3-line cart) and quote for beneficiaries with 0/100/1,000/5,000 prior
redemptions, in a ledger of 100,000 others, vs a raw sqlite3 commit of the same rows.

The baseline writes the rows a redemption writes (redemption, 3 lines, a draw,
its usage totals, outbox, audit, counter) by hand in one raw ``sqlite3``
transaction with the ledger's pragmas (WAL, synchronous=FULL, foreign_keys,
busy timeout), on a copy of the seeded ledger, in the same run, interleaved
call by call with every figure (merchant_pos.bench._stats.time_interleaved).
A single-row ``INSERT`` + ``COMMIT`` shows what the disk alone costs. Target:
redeem <= 2x the baseline, and flat in the beneficiary's history.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from merchant_pos.bench._stats import time_interleaved

_OTHERS_DEFAULT = 100_000
ISS = "crash-foundation"  # the issuer of merchant_pos.store.crashtest's codes
HISTORIES = (0, 100, 1000, 5000)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--others", type=int, default=_OTHERS_DEFAULT,
                        help="redemptions of other beneficiaries already in the ledger")
    parser.add_argument("--repeat", type=int, default=400, help="timed calls per figure")
    parser.add_argument("--dir", help="folder on the disk to measure (default: a temp folder "
                        "under the current directory)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark folder")


def _seed_others(path: Path, n: int, code: str,
                 subs: Callable[[int], str] = lambda i: f"B-OTHER-{i % 40_000:06d}") -> None:
    """Bulk-write ``n`` redemptions (rows as redeem writes them) of the beneficiaries
    ``subs(i)``, then the usage totals from them (as the migration would)."""
    from merchant_pos.domain.claims import Period
    from merchant_pos.store.audit import GENESIS_HASH, canonical_json, chain_hash
    from merchant_pos.store.device_secret import DeviceSecretStore
    from merchant_pos.store.usage_totals import rebuild, stored_shapes

    key = DeviceSecretStore(path.parent).load_or_create()

    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("BEGIN IMMEDIATE")
    head = db.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
    seq, prev = head if head else (0, GENESIS_HASH)
    op = db.execute("SELECT id FROM operators LIMIT 1").fetchone()[0]
    receipt = db.execute("SELECT coalesce(max(value), 0) FROM counters "
                         "WHERE name = 'receipt'").fetchone()[0]
    rng = random.Random(code + subs(0))
    start = int(time.time()) - 200 * 86_400
    reds, lines, draws, outbox, audit = [], [], [], [], []
    for i in range(n):
        rid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        sub = subs(i)
        at = start + i * 150
        receipt += 1
        rno = f"DBENCH-{receipt:06d}"
        reds.append((rid, rno, "DBENCH", op, ISS, sub, "crash-prg", "00" * 12,
                     code, at, 3000, 3000, 0, "accepted" if i % 3 else "pending"))
        for k, cat in enumerate(("formula", "diaper", "meal")):
            lines.append((rid, k, cat, 1000, 1, 1000))
        draws.append((rid, "all", ISS, sub, 3000, 0, at))
        payload = canonical_json({"type": "redemption", "id": rid, "receipt_no": rno,
                                  "at": at, "covered": 3000})
        outbox.append((rid, "redemption", rid, payload, reds[-1][-1], at, 0))
        seq += 1
        body = canonical_json({"id": rid, "receipt_no": rno, "covered": 3000, "pays": 0})
        digest = chain_hash(seq, at, "redemption", op, body, prev, key)
        audit.append((seq, at, "redemption", op, body, prev, digest))
        prev = digest
    db.executemany("INSERT INTO redemptions (id, receipt_no, device_id, operator_id, iss, sub,"
                   " prg, cti, code_text, created_at, total, covered, pays, status)"
                   " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", reds)
    db.executemany("INSERT INTO redemption_lines VALUES (?,?,?,?,?,?)", lines)
    db.executemany("INSERT INTO redemption_draws VALUES (?,?,?,?,?,?,?)", draws)
    db.executemany("INSERT INTO outbox (entry_id, kind, redemption_id, payload, status,"
                   " created_at, attempts) VALUES (?,?,?,?,?,?,?)", outbox)
    db.executemany("INSERT INTO audit_log VALUES (?,?,?,?,?,?,?)", audit)
    db.execute("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (seq, prev))
    db.execute("INSERT INTO counters VALUES ('receipt', ?) ON CONFLICT(name) DO UPDATE "
               "SET value = excluded.value", (receipt,))
    # Bucketed as the crash-test codes define "all" (per total, Asia/Shanghai).
    rebuild(db, {(ISS, s, "all"): (Period.TOTAL, "Asia/Shanghai")
                 for s in {r[5] for r in reds}} | stored_shapes(db))
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("ANALYZE")
    db.close()


def _always(sub: str) -> Callable[[int], str]:
    return lambda _i: sub


def _raw_connection(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA busy_timeout = 5000")
    assert db.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"
    db.execute("PRAGMA synchronous = FULL")
    db.execute("PRAGMA foreign_keys = ON")
    return db


def _raw_single_insert(folder: Path) -> tuple[Callable[[], None], sqlite3.Connection]:
    db = _raw_connection(folder / "raw-baseline.sqlite3")
    db.execute("CREATE TABLE IF NOT EXISTS t (id TEXT PRIMARY KEY, at INTEGER, amount INTEGER,"
               " payload TEXT)")
    payload = "x" * 300

    def insert_commit() -> None:
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO t VALUES (?,?,?,?)",
                   (str(uuid.uuid4()), int(time.time()), 3000, payload))
        db.execute("COMMIT")

    return insert_commit, db


def _raw_redemption_rows(path: Path, code: str) -> tuple[Callable[[], None],
                                                           sqlite3.Connection]:
    """The rows redeem writes, hand-written SQL, one committed transaction, on a copy of
    the seeded ledger (no verification, no quote, no audit hashing)."""
    db = _raw_connection(path)
    op = db.execute("SELECT id FROM operators LIMIT 1").fetchone()[0]

    def write() -> None:
        rid, at = str(uuid.uuid4()), int(time.time())
        db.execute("BEGIN IMMEDIATE")
        n = db.execute("UPDATE counters SET value = value + 1 WHERE name = 'receipt' "
                       "RETURNING value").fetchone()[0]
        db.execute("INSERT INTO redemptions (id, receipt_no, device_id, operator_id, iss, sub,"
                   " prg, cti, code_text, created_at, total, covered, pays, status)"
                   " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                   (rid, f"RAW-{n}", "DRAW", op, ISS, "B-RAW", "crash-prg",
                    "00" * 12, code, at, 3500, 3500, 0, "pending"))
        db.executemany("INSERT INTO redemption_lines VALUES (?,?,?,?,?,?)",
                       [(rid, k, c, 1000, 1, 1000) for k, c in
                        enumerate(("formula", "diaper", "meal"))])
        db.executemany("INSERT INTO redemption_draws VALUES (?,?,?,?,?,?,?)",
                       [(rid, "all", ISS, "B-RAW", 3500, 0, at)])
        db.execute("INSERT INTO usage_totals (iss, sub, ent, period_start, per, tz, period_end,"
                   " amount, units, records) VALUES (?, 'B-RAW', 'all', 0, 'total', ?, 0, 3500,"
                   " 0, 1) ON CONFLICT (iss, sub, ent, period_start) DO UPDATE SET"
                   " amount = amount + 3500, records = records + 1", (ISS, "Asia/Shanghai"))
        db.execute("INSERT INTO usage_totals_shape VALUES (?, 'B-RAW', 'all', 'total', ?, 1)"
                   " ON CONFLICT DO UPDATE SET records = records + 1", (ISS, "Asia/Shanghai"))
        db.execute("INSERT INTO outbox (entry_id, kind, redemption_id, payload, status,"
                   " created_at, attempts) VALUES (?,?,?,?,?,?,0)",
                   (rid, "redemption", rid, json.dumps({"id": rid, "code": code}), "pending",
                    at))
        seq, prev = db.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
        db.execute("INSERT INTO audit_log VALUES (?,?,?,?,?,?,?)",
                   (seq + 1, at, "redemption", op, "{}", prev, "0" * 64))
        db.execute("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (seq + 1, "0" * 64))
        db.execute("COMMIT")

    return write, db


def run(args: argparse.Namespace) -> int:
    from merchant_pos.domain.quote import CartLine
    from merchant_pos.store import Ledger, OperatorRegistry, RedemptionService, crashtest

    base = Path(args.dir) if args.dir else Path.cwd()
    base.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="mpos-bench-ledger-", dir=base))
    try:
        config = crashtest.prepare(folder)  # a configured ledger, a key, 16 codes
        codes: list[str] = json.loads(config.read_text())["codes"]
        t0 = time.perf_counter()
        path = folder / "ledger.sqlite3"
        _seed_others(path, args.others, codes[0])
        # Beneficiary k (code 1 + k) has HISTORIES[k] prior redemptions of its own.
        for k, n in enumerate(HISTORIES):
            if n:
                sub = f"B-CRASH-{1 + k:04d}"  # the sub of crashtest code 1 + k
                _seed_others(path, n, codes[1 + k], subs=_always(sub))
        seeded = time.perf_counter() - t0
        ledger = Ledger.open(folder)
        operators = OperatorRegistry(ledger)
        service = RedemptionService(ledger, operators)
        session = operators.sign_in("crash", crashtest.WORKER_PIN)
        session.idle_seconds = 10**9  # the benchmark is not a clerk going for lunch
        cart = [CartLine("formula", 1000), CartLine("diaper", 2000, 2), CartLine("meal", 500)]

        def redeem_for(code: str) -> Callable[[], object]:
            return lambda: service.redeem(str(uuid.uuid4()), code, cart, session)

        def quote_for(code: str) -> Callable[[], object]:
            return lambda: service.quote(code, cart)

        copy = folder / "raw-rows.sqlite3"
        source = sqlite3.connect(path)
        target = sqlite3.connect(copy)
        source.backup(target)
        target.close()
        source.close()
        raw_step, raw_db = _raw_single_insert(folder)
        rows_step, rows_db = _raw_redemption_rows(copy, codes[1])
        calls: list[tuple[str, Callable[[], object]]] = [
            ("raw sqlite3, a redemption's rows + COMMIT (baseline)", rows_step),
            ("raw sqlite3 INSERT+COMMIT (one row)", raw_step)]
        calls += [(f"redeem, 3-line cart, {n:,} prior", redeem_for(codes[1 + k]))
                  for k, n in enumerate(HISTORIES)]
        calls += [(f"quote (verify + usage + quote), {n:,} prior", quote_for(codes[1 + k]))
                  for k, n in enumerate(HISTORIES)]
        timed = time_interleaved(calls, args.repeat)
        raw_db.close()
        rows_db.close()
        ledger.close()
        baseline = timed[0]
        print(f"ledger with {args.others:,} other redemptions (seeded in {seeded:.1f} s), "
              f"{args.repeat} rounds interleaved, folder {folder}")
        for t in timed:
            print(t.row(baseline))
        redeems = timed[2:2 + len(HISTORIES)]
        ratios = [t.median / baseline.median for t in redeems]
        flat = max(t.median for t in redeems) / min(t.median for t in redeems)
        print("redeem / raw rows: " + ", ".join(
            f"{n:,} prior {r:.2f}x" for n, r in zip(HISTORIES, ratios, strict=True))
            + f" (target <= 2x); slowest / fastest history {flat:.2f}x (flat: ~1x)")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


__all__ = ["add_arguments", "run"]
