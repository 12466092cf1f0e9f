"""Operators' PIN state (issue 13): a weak PIN must change; which secret keyed the PIN.

Revision ID: 0004_n13_pin_state
Revises: 0004_n14a_usage_totals
Create Date: 2026-12-02

``operators.must_change_pin`` is set when someone signs in with a weak stored PIN
and cleared when the PIN is changed; until then the ledger refuses their
redemptions, void approvals and staff changes. ``operators.pin_key`` is the
fingerprint of the device secret that keyed ``pin_hash``: existing rows get the
fingerprint the ledger last knew (the secret that re-keyed them), so a PIN
under a lost secret is told apart from a wrong PIN.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_n13_pin_state"
down_revision = "0004_n14a_usage_totals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN: recreating ``operators`` would fight the redemptions' foreign key.
    op.add_column("operators", sa.Column("must_change_pin", sa.Boolean(), nullable=False,
                                         server_default="0"))
    op.add_column("operators", sa.Column("pin_key", sa.String(16), nullable=True))
    op.execute("UPDATE operators SET pin_key = (SELECT json_extract(value, '$') FROM settings"
               " WHERE key = 'device_secret.fingerprint')")


def downgrade() -> None:
    with op.batch_alter_table("operators") as batch:
        batch.drop_column("pin_key")
        batch.drop_column("must_change_pin")
