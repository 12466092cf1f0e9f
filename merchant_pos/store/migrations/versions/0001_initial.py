"""The first ledger schema.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _int(name: str, *, nullable: bool = False, primary_key: bool = False,
         autoincrement: bool | str = "auto") -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), nullable=nullable, primary_key=primary_key,
                     autoincrement=autoincrement)  # type: ignore[arg-type]


def _str(name: str, length: int, *, primary_key: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(length), nullable=False, primary_key=primary_key)


def _text(name: str, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "merchant_profile",
        _int("id", primary_key=True), _str("merchant_id", 64), _str("merchant_name", 200),
        _str("kind", 32), _str("device_id", 64), _str("time_zone", 64),
        _text("programs_json"), _text("categories_json"), _int("updated_at"),
    )
    op.create_table(
        "programs",
        _str("id", 64, primary_key=True), _str("name_zh", 200), _str("name_en", 200),
        _str("time_zone", 64), _text("categories_json"), _int("updated_at"),
    )
    op.create_table(
        "trusted_keys",
        sa.Column("kid", sa.LargeBinary(8), primary_key=True),
        _int("alg", primary_key=True), _str("iss", 256),
        sa.Column("raw_key", sa.LargeBinary(), nullable=False),
        _int("not_before"), _int("not_after"),
    )
    op.create_table(
        "revocations",
        _str("kind", 8, primary_key=True), _str("value", 256, primary_key=True),
        _int("received_at"),
    )
    op.create_table(
        "operators",
        _int("id", primary_key=True, autoincrement=True), _str("name", 64),
        _str("role", 16), _str("pin_hash", 256), _int("failed_attempts"),
        _int("locked_until", nullable=True), sa.Column("active", sa.Boolean(), nullable=False),
        _int("created_at"),
        sa.UniqueConstraint("name", name="uq_operators_name"),
    )
    op.create_table(
        "redemptions",
        _str("id", 36, primary_key=True), _str("receipt_no", 64), _str("device_id", 64),
        sa.Column("operator_id", sa.Integer(),
                  sa.ForeignKey("operators.id", name="fk_redemptions_operator_id_operators"),
                  nullable=False),
        _str("iss", 256), _str("sub", 64), _str("prg", 64), _str("cti", 32),
        _text("code_text"), _int("created_at"), _int("total"), _int("covered"), _int("pays"),
        _str("status", 16), _int("voided_at", nullable=True),
        sa.UniqueConstraint("receipt_no", name="uq_redemptions_receipt_no"),
    )
    op.create_index("ix_redemptions_iss_sub", "redemptions", ["iss", "sub"])
    op.create_index("ix_redemptions_created_at", "redemptions", ["created_at"])
    op.create_table(
        "redemption_lines",
        sa.Column("redemption_id", sa.String(36),
                  sa.ForeignKey("redemptions.id", ondelete="CASCADE",
                                name="fk_redemption_lines_redemption_id_redemptions"),
                  primary_key=True),
        _int("line_no", primary_key=True), _str("cat", 64), _int("amount"), _int("qty"),
        _int("covered"),
    )
    op.create_table(
        "redemption_draws",
        sa.Column("redemption_id", sa.String(36),
                  sa.ForeignKey("redemptions.id", ondelete="CASCADE",
                                name="fk_redemption_draws_redemption_id_redemptions"),
                  primary_key=True),
        _str("ent", 32, primary_key=True), _str("iss", 256), _str("sub", 64),
        _int("amount"), _int("units"), _int("at"),
    )
    op.create_index("ix_redemption_draws_iss_sub", "redemption_draws", ["iss", "sub"])
    op.create_table(
        "voids",
        _str("id", 36, primary_key=True),
        sa.Column("redemption_id", sa.String(36),
                  sa.ForeignKey("redemptions.id", name="fk_voids_redemption_id_redemptions"),
                  nullable=False),
        sa.Column("supervisor_id", sa.Integer(),
                  sa.ForeignKey("operators.id", name="fk_voids_supervisor_id_operators"),
                  nullable=False),
        _text("reason"), _int("created_at"),
        sa.UniqueConstraint("redemption_id", name="uq_voids_redemption_id"),
    )
    op.create_table(
        "outbox",
        _int("seq", primary_key=True, autoincrement=True), _str("entry_id", 36),
        _str("kind", 16),
        sa.Column("redemption_id", sa.String(36),
                  sa.ForeignKey("redemptions.id", name="fk_outbox_redemption_id_redemptions"),
                  nullable=False),
        _text("payload"), _str("status", 16), _int("created_at"),
        sa.UniqueConstraint("entry_id", name="uq_outbox_entry_id"),
    )
    op.create_table(
        "usage_records",
        _str("rid", 64, primary_key=True), _str("ent", 32, primary_key=True),
        _str("iss", 256), _str("sub", 64), _int("amount"), _int("units"), _int("at"),
        _int("received_at"),
    )
    op.create_index("ix_usage_records_iss_sub", "usage_records", ["iss", "sub"])
    op.create_table(
        "audit_log",
        _int("seq", primary_key=True), _int("at"), _str("kind", 32),
        _int("operator_id", nullable=True), _text("payload"), _str("prev_hash", 64),
        _str("hash", 64),
    )
    op.create_table(
        "audit_head", _int("id", primary_key=True), _int("seq"), _str("hash", 64),
    )
    op.create_table(
        "sync_state",
        _str("kind", 32, primary_key=True), _text("cursor", nullable=True),
        _int("last_fresh_at", nullable=True), _int("last_attempt_at", nullable=True),
        _text("last_error", nullable=True),
    )
    op.create_table("counters", _str("name", 32, primary_key=True), _int("value"))
    op.create_table("settings", _str("key", 64, primary_key=True), _text("value"))


def downgrade() -> None:
    for table in ("settings", "counters", "sync_state", "audit_head", "audit_log",
                  "usage_records", "outbox", "voids", "redemption_draws", "redemption_lines",
                  "redemptions", "operators", "revocations", "trusted_keys", "programs",
                  "merchant_profile"):
        op.drop_table(table)
