"""Short device numbers for receipt numbers (issue 12).

Revision ID: 0002_i12_device_numbers
Revises: 0001
Create Date: 2026-12-01

Devices enrolled before this revision get numbers in enrollment order per
merchant; their install id is unknown, so the hash is a placeholder that no
install id can match (a re-enrollment of those folders gets a new number).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_i12_device_numbers"
down_revision = "0002_i11a_audit_anchor"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    inspector = sa.inspect(conn)
    if inspector.has_table("device_numbers"):  # adopted from create_all: already there
        return
    op.create_table(
        "device_numbers",
        sa.Column("merchant_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("install_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["merchant_id"], ["merchants.id"]),
        sa.PrimaryKeyConstraint("merchant_id", "number"),
        sa.UniqueConstraint("merchant_id", "install_hash", name="uq_device_number_install"),
    )
    with op.batch_alter_table("devices") as batch:
        batch.add_column(sa.Column("number", sa.Integer(), nullable=True))
    rows = conn.execute(sa.text(
        "SELECT id, merchant_id, created_at FROM devices ORDER BY merchant_id, created_at, id"
    )).all()
    counts: dict[str, int] = {}
    for device_id, merchant_id, created_at in rows:
        number = counts.get(merchant_id, 0) + 1
        counts[merchant_id] = number
        conn.execute(sa.text("UPDATE devices SET number = :n WHERE id = :d"),
                     {"n": number, "d": device_id})
        conn.execute(sa.text(
            "INSERT INTO device_numbers (merchant_id, number, install_hash, created_at)"
            " VALUES (:m, :n, :h, :t)"),
            {"m": merchant_id, "n": number, "h": f"legacy:{device_id}", "t": created_at})


def downgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("number")
    op.drop_table("device_numbers")
