"""Regenerate ``ledger-v1.sqlite3``: a ledger at schema revision 0001 with some history.

Run from the repository root: ``.venv/bin/python tests/data/db/make_ledger_v1.py``.
Only needed if the fixture is lost: the committed file is what the upgrade
test must keep opening. It holds a merchant profile, one trusted key, a
supervisor (PIN 9999) and a cashier (PIN 1234), two redemptions of one
beneficiary (one already accepted by the server), their outbox entries, and
an intact audit chain. The code texts are signed by a key made here; only its
public half is stored.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from merchant_pos.domain import CartLine, UsageRecord, quote
from merchant_pos.store.audit import GENESIS_HASH, canonical_json, chain_hash
from merchant_pos.store.engine import create_ledger_engine
from merchant_pos.store.migrate import upgrade
from merchant_pos.store.operators import PinHasher
from tests.support.codes import NOW, claims, issuer_key, make_code

TARGET = Path(__file__).with_name("ledger-v1.sqlite3")
V1_SUB = "B-V1-0001"
PINS = PinHasher(n=2**8)


def build(target: Path = TARGET) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    engine = create_ledger_engine(target)
    upgrade(engine, target, target="0001")
    engine.dispose()
    key = issuer_key()
    trusted = key.trusted_key()
    db = sqlite3.connect(target, isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO merchant_profile VALUES (1,'M-BABY-01','好孩子母婴店','baby_shop',"
               "'D01','Asia/Shanghai',?,?,?)",
               (json.dumps(["jss-baby-2023"]), json.dumps(["formula", "diaper"]), NOW - 7200))
    db.execute("INSERT INTO trusted_keys VALUES (?,?,?,?,?,?)",
               (trusted.kid, trusted.alg, trusted.iss, trusted.raw_key, trusted.not_before,
                trusted.not_after))
    db.execute("INSERT INTO counters VALUES ('reference', 2)")
    db.execute("INSERT INTO operators VALUES (1,'王主管','supervisor',?,0,NULL,1,?)",
               (PINS.hash("9999"), NOW - 7200))
    db.execute("INSERT INTO operators VALUES (2,'李收银','cashier',?,0,NULL,1,?)",
               (PINS.hash("1234"), NOW - 7200))
    c = claims(sub=V1_SUB)
    code = make_code(key, c)
    audit: list[tuple[int, str, int | None, dict[str, object]]] = []
    used: list[UsageRecord] = []
    for n, (status, at) in enumerate((("accepted", NOW - 5400), ("pending", NOW - 3600)), 1):
        rid = f"00000000-0000-4000-8000-00000000000{n}"
        cart = [CartLine("formula", 6000)]
        q = quote(c, at, cart, used)
        receipt = f"D01-{n:06d}"
        db.execute("INSERT INTO redemptions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,NULL)",
                   (rid, receipt, "D01", 2, c.iss, c.sub, c.prg, c.cti.hex(), code, at,
                    q.total, q.covered, q.pays, status))
        db.execute("INSERT INTO redemption_lines VALUES (?,?,?,?,?,?)",
                   (rid, 0, "formula", 6000, 1, q.covered))
        for ent, (fen, units) in sorted(q.draws_by_entitlement().items()):
            db.execute("INSERT INTO redemption_draws VALUES (?,?,?,?,?,?,?)",
                       (rid, ent, c.iss, c.sub, fen, units, at))
        used += [UsageRecord(ent, fen, units, at, rid)
                 for ent, (fen, units) in q.draws_by_entitlement().items()]
        payload = {"type": "redemption", "id": rid, "receipt_no": receipt, "at": at,
                   "code": code, "covered": q.covered, "pays": q.pays, "total": q.total}
        db.execute("INSERT INTO outbox (entry_id, kind, redemption_id, payload, status,"
                   " created_at) VALUES (?,?,?,?,?,?)",
                   (rid, "redemption", rid, canonical_json(payload), status, at))
        audit.append((at, "redemption", 2, {"id": rid, "receipt_no": receipt,
                                            "covered": q.covered}))
    db.execute("INSERT INTO counters VALUES ('receipt', 2)")
    prev = GENESIS_HASH
    for seq, (at, kind, op, body) in enumerate(audit, 1):
        text = canonical_json(body)
        digest = chain_hash(seq, at, kind, op, text, prev)
        db.execute("INSERT INTO audit_log VALUES (?,?,?,?,?,?,?)",
                   (seq, at, kind, op, text, prev, digest))
        prev = digest
    db.execute("INSERT INTO audit_head VALUES (1, ?, ?)", (len(audit), prev))
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("PRAGMA journal_mode=DELETE")  # one self-contained file in git
    db.close()


if __name__ == "__main__":
    build()
    print(f"wrote {TARGET}")
