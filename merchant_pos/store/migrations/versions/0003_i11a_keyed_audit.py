"""The audit chain becomes keyed (HMAC with the device secret); its head moves only forward.

Revision ID: 0003_i11a_keyed_audit
Revises: 0002
Create Date: 2026-12-01

``audit_head.keyed`` is 0 for a chain of plain SHA-256 links: the ledger re-keys
such a chain once, when it opens it with a device secret made just then
(``AuditLog.key_existing_chain``), and sets 1. A trigger refuses any update of
the head that moves it back and its deletion (a file editor can drop the trigger:
``audit verify`` and the server's anchor are what catch that).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_i11a_keyed_audit"
down_revision = "0003_i9c_outbox_stuck"
branch_labels = None
depends_on = None

GENESIS = "00" * 32
FORWARD_ONLY = """
CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head
WHEN NEW.seq < OLD.seq OR (OLD.keyed = 1 AND NEW.keyed != 1)
BEGIN SELECT RAISE(ABORT, 'the audit head moves only forward'); END
"""
NO_DELETE = """
CREATE TRIGGER audit_head_kept BEFORE DELETE ON audit_head
BEGIN SELECT RAISE(ABORT, 'the audit head is never deleted'); END
"""


def upgrade() -> None:
    with op.batch_alter_table("audit_head") as batch:
        batch.add_column(sa.Column("keyed", sa.Integer(), nullable=False, server_default="0"))
    op.execute(f"INSERT OR IGNORE INTO audit_head (id, seq, hash, keyed) "
               f"VALUES (1, 0, '{GENESIS}', 0)")
    op.execute(FORWARD_ONLY)
    op.execute(NO_DELETE)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_head_forward_only")
    op.execute("DROP TRIGGER IF EXISTS audit_head_kept")
    with op.batch_alter_table("audit_head") as batch:
        batch.drop_column("keyed")
