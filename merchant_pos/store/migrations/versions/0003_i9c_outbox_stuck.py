"""Stuck outbox entries: when the server first answered ``error`` (or refused) an entry.

Revision ID: 0003_i9c_outbox_stuck
Revises: 0002
Create Date: 2026-12-01

An entry the server cannot take stays pending (it is never dropped) and is
re-sent at every sync; ``stuck_at`` says since when it has been refused, so
the counter can show it, with the server's reason (``result_reason``), and
export it for support. Cleared when the server finally takes it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_i9c_outbox_stuck"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("stuck_at", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("stuck_at")
