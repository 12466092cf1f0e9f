"""Nothing to steal in the file: keyed PIN hashes, no code text the server already has.

Revision ID: 0003_i11b_secrets_at_rest
Revises: 0003_i12_print_jobs
Create Date: 2026-12-01

- ``redemptions``: new ``code_sha256`` and ``receipt_snapshot`` (see
  ``merchant_pos.store.receipt_snapshot``), filled for every existing row; rows
  whose outbox entry the server already answered lose their code text (``""``),
  and those entries their payload (``""``).
- ``operators.pin_hash``: every ``scrypt$…`` hash becomes the keyed
  ``kscrypt$…`` form, a keyed hash of the stored scrypt digest, so no PIN is
  re-entered; so does the shop's recovery code hash (``staff.recovery_code_hash``).
  The device secret comes from the ledger (``config.attributes``).

Pages freed here are zeroed (``secure_delete``); the ledger empties the WAL
afterwards.
"""

from __future__ import annotations

import json
import sqlite3

import sqlalchemy as sa
from alembic import op

from merchant_pos.store.device_secret import subkey
from merchant_pos.store.operators import PIN_KEY_PURPOSE, PinHasher
from merchant_pos.store.receipt_snapshot import forget_answered, migrated_snapshot

RECOVERY_HASH = "staff.recovery_code_hash"
revision = "0003_i11b_secrets_at_rest"
down_revision = "0003_i12_print_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    config = op.get_context().config
    secret = config.attributes.get("device_secret") if config is not None else None
    if not isinstance(secret, bytes):
        raise RuntimeError("revision 0003 needs the device secret (run through Ledger.open)")
    # Plain ADD COLUMN: recreating ``redemptions`` would cascade-delete its lines.
    op.add_column("redemptions", sa.Column("code_sha256", sa.String(64), nullable=True))
    op.add_column("redemptions", sa.Column("receipt_snapshot", sa.Text(), nullable=True))
    db = op.get_bind().connection.driver_connection
    assert isinstance(db, sqlite3.Connection)
    rows = db.execute(
        "SELECT r.id, r.iss, r.sub, r.code_text, r.created_at FROM redemptions r"
        " WHERE r.code_text != '' ORDER BY r.created_at, r.receipt_no").fetchall()
    for rid, iss, sub, code, at in rows:
        draws = [{"rid": d[0], "ent": d[1], "amount": d[2], "units": d[3], "at": d[4]}
                 for d in db.execute(
                     "SELECT d.redemption_id, d.ent, d.amount, d.units, d.at"
                     " FROM redemption_draws d JOIN redemptions r ON r.id = d.redemption_id"
                     " WHERE d.iss = ? AND d.sub = ? AND d.at <= ?"
                     " AND r.status NOT IN ('voided', 'rejected')", (iss, sub, at))]
        digest, snapshot = migrated_snapshot(code, at, draws)
        db.execute("UPDATE redemptions SET code_sha256 = ?, receipt_snapshot = ? WHERE id = ?",
                   (digest, snapshot, rid))
    forget_answered(db)
    hasher = PinHasher().keyed(subkey(secret, PIN_KEY_PURPOSE))
    for op_id, stored in db.execute("SELECT id, pin_hash FROM operators").fetchall():
        keyed = hasher.rekey(stored)
        if keyed != stored:
            db.execute("UPDATE operators SET pin_hash = ? WHERE id = ?", (keyed, op_id))
    # The shop's recovery code is checked by the same hasher (merchant_pos.store.staff).
    row = db.execute("SELECT value FROM settings WHERE key = ?", (RECOVERY_HASH,)).fetchone()
    if row is not None and isinstance(json.loads(row[0]), str):
        db.execute("UPDATE settings SET value = ? WHERE key = ?",
                   (json.dumps(hasher.rekey(json.loads(row[0]))), RECOVERY_HASH))


def downgrade() -> None:
    raise NotImplementedError("keyed PIN hashes and dropped code texts cannot be restored")
