"""Linked devices (re-enrollment), review flags, enrollment attempts (rate limits),
and an index for the per-device quota of rejected items.

Revision ID: 0003_i9s_links_and_limits
Revises: 0002_i12_device_numbers
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_i9s_links_and_limits"
down_revision = "0002_i12_device_numbers"
branch_labels = None
depends_on = None

AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.add_column(sa.Column("previous_id", sa.String(length=36), nullable=True))
    with op.batch_alter_table("redemptions") as batch:
        batch.add_column(sa.Column("review", sa.String(length=32), nullable=True))
    op.create_index("ix_redemptions_device_status", "redemptions", ["device_id", "status"])
    op.create_table(
        "enrollment_attempts",
        sa.Column("id", AUTO_ID, autoincrement=True, nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("failed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_enrollment_attempts_address", "enrollment_attempts", ["address", "at"])
    op.create_index("ix_enrollment_attempts_code", "enrollment_attempts", ["code_hash", "at"])


def downgrade() -> None:
    op.drop_index("ix_enrollment_attempts_code", table_name="enrollment_attempts")
    op.drop_index("ix_enrollment_attempts_address", table_name="enrollment_attempts")
    op.drop_table("enrollment_attempts")
    op.drop_index("ix_redemptions_device_status", table_name="redemptions")
    with op.batch_alter_table("redemptions") as batch:
        batch.drop_column("review")
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("previous_id")
