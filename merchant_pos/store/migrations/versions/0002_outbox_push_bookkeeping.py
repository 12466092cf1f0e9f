"""Push bookkeeping for the sync engine: attempts, errors, server answers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

Existing outbox rows get ``attempts = 0``; rows already answered in a v1
database (status other than pending) get ``answered_at = created_at`` so the
sync engine does not take them for unanswered.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("last_attempt_at", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch.add_column(sa.Column("result_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("answered_at", sa.Integer(), nullable=True))
    op.create_index("ix_outbox_status_seq", "outbox", ["status", "seq"])
    with op.batch_alter_table("redemptions") as batch:
        batch.add_column(sa.Column("server_reason", sa.Text(), nullable=True))
    op.execute("UPDATE outbox SET answered_at = created_at WHERE status != 'pending'")


def downgrade() -> None:
    op.drop_index("ix_outbox_status_seq", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        for column in ("answered_at", "result_reason", "last_error", "last_attempt_at",
                       "attempts"):
            batch.drop_column(column)
    with op.batch_alter_table("redemptions") as batch:
        batch.drop_column("server_reason")
