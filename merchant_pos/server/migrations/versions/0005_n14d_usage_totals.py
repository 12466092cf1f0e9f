"""Running usage totals of the draws (issue 14): per beneficiary, entitlement and the
shape its code gave it (period kind, zone), the record count; per period bucket of
that shape, amount, units and record count. Built here by replaying the existing
draws (``merchant_pos.server.usage_totals.rebuild``); kept in step by ingest.

Revision ID: 0005_n14d_usage_totals
Revises: 0004_n14b_history_indexes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_n14d_usage_totals"
down_revision = "0004_n14b_history_indexes"
branch_labels = None
depends_on = None


def _shape_columns() -> list[sa.Column[object]]:
    return [sa.Column("iss", sa.String(length=64), nullable=False),
            sa.Column("sub", sa.String(length=64), nullable=False),
            sa.Column("ent", sa.String(length=32), nullable=False),
            sa.Column("per", sa.String(length=8), nullable=False),
            sa.Column("tz", sa.String(length=64), nullable=False)]


def upgrade() -> None:
    from merchant_pos.server.usage_totals import rebuild

    op.create_table(
        "usage_totals_shape", *_shape_columns(),
        sa.Column("records", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("iss", "sub", "ent", "per", "tz"),
    )
    op.create_table(
        "usage_totals", *_shape_columns(),
        sa.Column("period_start", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("period_end", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("records", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("iss", "sub", "ent", "per", "tz", "period_start"),
    )
    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table("usage_totals")
    op.drop_table("usage_totals_shape")
