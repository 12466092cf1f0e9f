"""Usage as running totals (issue 14): per beneficiary, entitlement and period bucket.

Revision ID: 0004_n14a_usage_totals
Revises: 0003_i11b_secrets_at_rest
Create Date: 2026-12-02

Builds the totals of an existing ledger by replaying its draws and server
records (merchant_pos.store.usage_totals.rebuild). The period kind and zone
of each entitlement come from the beneficiary's latest receipt snapshot; an
entitlement without one is counted but not bucketed until a code is redeemed
(quotes read its draws meanwhile).
"""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from alembic import op

revision = "0004_n14a_usage_totals"
down_revision = "0003_i11b_secrets_at_rest"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from merchant_pos.store.usage_totals import rebuild, snapshot_shapes

    op.create_table(
        "usage_totals_shape",
        sa.Column("iss", sa.String(256), primary_key=True),
        sa.Column("sub", sa.String(64), primary_key=True),
        sa.Column("ent", sa.String(32), primary_key=True),
        sa.Column("per", sa.String(8), nullable=True),
        sa.Column("tz", sa.String(64), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("iss", "sub", "ent", name="pk_usage_totals_shape"),
    )
    op.create_table(
        "usage_totals",
        sa.Column("iss", sa.String(256), primary_key=True),
        sa.Column("sub", sa.String(64), primary_key=True),
        sa.Column("ent", sa.String(32), primary_key=True),
        sa.Column("period_start", sa.Integer(), primary_key=True),
        sa.Column("per", sa.String(8), nullable=False),
        sa.Column("tz", sa.String(64), nullable=False),
        sa.Column("period_end", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("iss", "sub", "ent", "period_start", name="pk_usage_totals"),
    )
    db = op.get_bind().connection.driver_connection
    assert isinstance(db, sqlite3.Connection)
    rebuild(db, snapshot_shapes(db))


def downgrade() -> None:
    op.drop_table("usage_totals")
    op.drop_table("usage_totals_shape")
