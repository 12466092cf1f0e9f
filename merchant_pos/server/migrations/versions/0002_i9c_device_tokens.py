"""Idempotent enrollment and rotating, expiring device tokens.

Revision ID: 0002_i9c_device_tokens
Revises: 0001
Create Date: 2026-12-01

``enrollment_codes``: the hash of the device's enrollment request id and the
token issued to it, sealed with a key derived from that request id (so the
database alone does not give it away), for answering a retry of the same
request with the same device and token.

``devices``: the successor token handed out at a sync (``next_token_hash``),
when the current token was issued, and when the device last synced (its token
expires after the server's ``token_ttl`` without a sync). Existing devices
count as issued at their creation and synced at the migration's time, so
that upgrading a server does not expire every device at once.
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic import op

revision = "0002_i9c_device_tokens"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enrollment_codes") as batch:
        batch.add_column(sa.Column("request_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("token_sealed", sa.Text(), nullable=True))
    with op.batch_alter_table("devices") as batch:
        batch.add_column(sa.Column("next_token_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("token_issued_at", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("last_sync_at", sa.BigInteger(), nullable=True))
        batch.create_unique_constraint("uq_devices_next_token_hash", ["next_token_hash"])
    now = int(time.time())
    op.execute(sa.text("UPDATE devices SET token_issued_at = created_at, "
                       "last_sync_at = :now").bindparams(now=now))


def downgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.drop_constraint("uq_devices_next_token_hash", type_="unique")
        batch.drop_column("last_sync_at")
        batch.drop_column("token_issued_at")
        batch.drop_column("next_token_hash")
    with op.batch_alter_table("enrollment_codes") as batch:
        batch.drop_column("token_sealed")
        batch.drop_column("request_hash")
