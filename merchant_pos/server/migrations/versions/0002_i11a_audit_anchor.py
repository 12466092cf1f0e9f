"""Audit anchoring (issue 11): devices' uploaded audit rows, every acknowledged head, flags,
and the device sequence number and times of every pushed item.

Revision ID: 0002_i11a_audit_anchor
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_i11a_audit_anchor"
down_revision = "0002_i9c_device_tokens"
branch_labels = None
depends_on = None

AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "device_audit_rows",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("ref", sa.String(length=36), nullable=True),
        sa.Column("covered", sa.BigInteger(), nullable=True),
        sa.Column("voids", sa.String(length=36), nullable=True),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"]),
        sa.PrimaryKeyConstraint("device_id", "seq"),
    )
    op.create_index("ix_device_audit_rows_ref", "device_audit_rows", ["device_id", "ref"])
    op.create_table(
        "device_audit_heads",
        sa.Column("id", AUTO_ID, autoincrement=True, nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=128), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.Column("rebased", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_device_audit_heads_device", "device_audit_heads", ["device_id", "seq"])
    op.create_table(
        "device_flags",
        sa.Column("id", AUTO_ID, autoincrement=True, nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("merchant_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.BigInteger(), nullable=False),
        sa.Column("reviewed_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("device_id", "kind", "ref", name="uq_device_flag"),
    )
    op.create_index("ix_device_flags_merchant", "device_flags", ["merchant_id", "raised_at"])
    op.create_table(
        "device_item_times",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("device_seq", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("covered", sa.BigInteger(), nullable=True),
        sa.Column("voids", sa.String(length=36), nullable=True),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"]),
        sa.PrimaryKeyConstraint("device_id", "uuid"),
    )
    op.create_index("ix_device_item_times_seq", "device_item_times", ["device_id", "device_seq"])


def downgrade() -> None:
    op.drop_index("ix_device_item_times_seq", table_name="device_item_times")
    op.drop_table("device_item_times")
    op.drop_index("ix_device_flags_merchant", table_name="device_flags")
    op.drop_table("device_flags")
    op.drop_index("ix_device_audit_heads_device", table_name="device_audit_heads")
    op.drop_table("device_audit_heads")
    op.drop_index("ix_device_audit_rows_ref", table_name="device_audit_rows")
    op.drop_table("device_audit_rows")
