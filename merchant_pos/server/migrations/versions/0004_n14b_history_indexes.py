"""Beneficiary histories indexed by time: the judge reads a beneficiary's draws and
redemptions from a period start on (``ledger_history``), a range scan whatever the
length of the history. The (iss, sub) indexes they replace are their prefixes.

Revision ID: 0004_n14b_history_indexes
Revises: 0003_i9s_links_and_limits
"""

from __future__ import annotations

from alembic import op

revision = "0004_n14b_history_indexes"
down_revision = "0003_i9s_links_and_limits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_draws_sub_at", "draws", ["iss", "sub", "at"])
    op.drop_index("ix_draws_sub", table_name="draws")
    op.create_index("ix_redemptions_sub_at", "redemptions", ["iss", "sub", "at"])
    op.drop_index("ix_redemptions_sub", table_name="redemptions")


def downgrade() -> None:
    op.create_index("ix_redemptions_sub", "redemptions", ["iss", "sub"])
    op.drop_index("ix_redemptions_sub_at", table_name="redemptions")
    op.create_index("ix_draws_sub", "draws", ["iss", "sub"])
    op.drop_index("ix_draws_sub_at", table_name="draws")
