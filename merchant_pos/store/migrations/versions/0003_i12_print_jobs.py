"""The print queue (issue 12): receipts and slips waiting for the printer.

Revision ID: 0003_i12_print_jobs
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_i12_print_jobs"
down_revision = "0003_i11a_keyed_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "print_jobs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("redemption_id", sa.String(36), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.Integer(), nullable=False),
        sa.Column("printed_at", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_print_jobs"),
    )
    op.create_index("ix_print_jobs_status_id", "print_jobs", ["status", "id"])
    op.create_index("ix_print_jobs_redemption_id", "print_jobs", ["redemption_id"])


def downgrade() -> None:
    op.drop_table("print_jobs")
