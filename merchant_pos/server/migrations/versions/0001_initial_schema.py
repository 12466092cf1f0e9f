"""Initial schema of the reference server (as in merchant_pos/server/schema.py then).

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-29 00:36:45.026619
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table('feed_counter',
    sa.Column('name', sa.String(length=16), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('issuer_keys',
    sa.Column('kid', sa.String(length=16), nullable=False),
    sa.Column('alg', sa.Integer(), nullable=False),
    sa.Column('iss', sa.String(length=64), nullable=False),
    sa.Column('public_key', sa.LargeBinary(), nullable=False),
    sa.Column('private_pem', sa.Text(), nullable=False),
    sa.Column('not_before', sa.BigInteger(), nullable=False),
    sa.Column('not_after', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('retired_at', sa.BigInteger(), nullable=True),
    sa.Column('withdrawn_at', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('kid')
    )
    op.create_table('ledger_locks',
    sa.Column('iss', sa.String(length=64), nullable=False),
    sa.Column('sub', sa.String(length=64), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('iss', 'sub')
    )
    op.create_table('merchants',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('max_offline_hours', sa.Integer(), nullable=False),
    sa.Column('max_unsynced_covered', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('outcome_events',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.String(length=64), nullable=True),
    sa.Column('conflict', sa.Text(), nullable=True),
    sa.Column('voided', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('seq')
    )
    op.create_index('ix_outcome_events_device', 'outcome_events', ['device_id', 'seq'],
                    unique=False)
    op.create_table('programs',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name_zh', sa.String(length=128), nullable=False),
    sa.Column('name_en', sa.String(length=128), nullable=False),
    sa.Column('tz', sa.String(length=64), nullable=False),
    sa.Column('iss', sa.String(length=64), nullable=False),
    sa.Column('entitlements', sa.Text(), nullable=False),
    sa.Column('code_valid_days', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('revocations',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('value', sa.String(length=64), nullable=False),
    sa.Column('revoked_at', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('kind', 'value', name='uq_revocation')
    )
    op.create_table('usage_events',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('rid', sa.String(length=36), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('merchant_id', sa.String(length=64), nullable=False),
    sa.Column('program_id', sa.String(length=64), nullable=False),
    sa.Column('iss', sa.String(length=64), nullable=False),
    sa.Column('sub', sa.String(length=64), nullable=False),
    sa.Column('ent', sa.String(length=32), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('units', sa.BigInteger(), nullable=False),
    sa.Column('at', sa.BigInteger(), nullable=False),
    sa.Column('voided', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('seq')
    )
    op.create_index('ix_usage_events_program', 'usage_events', ['program_id', 'seq'], unique=False)
    op.create_table('beneficiaries',
    sa.Column('sub', sa.String(length=64), nullable=False),
    sa.Column('program_id', sa.String(length=64), nullable=False),
    sa.Column('name_masked', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('revoked_at', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], ),
    sa.PrimaryKeyConstraint('sub')
    )
    op.create_table('categories',
    sa.Column('program_id', sa.String(length=64), nullable=False),
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name_zh', sa.String(length=128), nullable=False),
    sa.Column('name_en', sa.String(length=128), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], ),
    sa.PrimaryKeyConstraint('program_id', 'id')
    )
    op.create_table('devices',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('merchant_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('revoked_at', sa.BigInteger(), nullable=True),
    sa.Column('audit_seq', sa.BigInteger(), nullable=True),
    sa.Column('audit_head', sa.String(length=128), nullable=True),
    sa.Column('audit_at', sa.BigInteger(), nullable=True),
    sa.Column('audit_received_at', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_table('enrollment_codes',
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('merchant_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('expires_at', sa.BigInteger(), nullable=False),
    sa.Column('used_at', sa.BigInteger(), nullable=True),
    sa.Column('device_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], ),
    sa.PrimaryKeyConstraint('code_hash')
    )
    op.create_table('merchant_categories',
    sa.Column('merchant_id', sa.String(length=64), nullable=False),
    sa.Column('program_id', sa.String(length=64), nullable=False),
    sa.Column('category_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], ),
    sa.PrimaryKeyConstraint('merchant_id', 'program_id', 'category_id')
    )
    op.create_table('merchant_programs',
    sa.Column('merchant_id', sa.String(length=64), nullable=False),
    sa.Column('program_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], ),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], ),
    sa.PrimaryKeyConstraint('merchant_id', 'program_id')
    )
    op.create_table('standard_items',
    sa.Column('merchant_id', sa.String(length=64), nullable=False),
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('program_id', sa.String(length=64), nullable=False),
    sa.Column('category_id', sa.String(length=64), nullable=False),
    sa.Column('name_zh', sa.String(length=128), nullable=False),
    sa.Column('name_en', sa.String(length=128), nullable=False),
    sa.Column('price', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], ),
    sa.PrimaryKeyConstraint('merchant_id', 'id')
    )
    op.create_table('issued_codes',
    sa.Column('cti', sa.String(length=32), nullable=False),
    sa.Column('sub', sa.String(length=64), nullable=False),
    sa.Column('program_id', sa.String(length=64), nullable=False),
    sa.Column('kid', sa.String(length=16), nullable=False),
    sa.Column('iat', sa.BigInteger(), nullable=False),
    sa.Column('exp', sa.BigInteger(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['sub'], ['beneficiaries.sub'], ),
    sa.PrimaryKeyConstraint('cti')
    )
    op.create_table('redemptions',
    sa.Column('id', AUTO_ID, autoincrement=True, nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('merchant_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.String(length=64), nullable=True),
    sa.Column('conflict', sa.Text(), nullable=True),
    sa.Column('iss', sa.String(length=64), nullable=True),
    sa.Column('sub', sa.String(length=64), nullable=True),
    sa.Column('program_id', sa.String(length=64), nullable=True),
    sa.Column('cti', sa.String(length=32), nullable=True),
    sa.Column('at', sa.BigInteger(), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('covered', sa.BigInteger(), nullable=False),
    sa.Column('quote_covered', sa.BigInteger(), nullable=True),
    sa.Column('voids_uuid', sa.String(length=36), nullable=True),
    sa.Column('voided_by', sa.String(length=36), nullable=True),
    sa.Column('voided_at', sa.BigInteger(), nullable=True),
    sa.Column('received_at', sa.BigInteger(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uuid')
    )
    op.create_index('ix_redemptions_merchant_day', 'redemptions', ['merchant_id', 'day'],
                    unique=False)
    op.create_index('ix_redemptions_sub', 'redemptions', ['iss', 'sub'], unique=False)
    op.create_table('draws',
    sa.Column('id', AUTO_ID, autoincrement=True, nullable=False),
    sa.Column('rid', sa.String(length=36), nullable=False),
    sa.Column('iss', sa.String(length=64), nullable=False),
    sa.Column('sub', sa.String(length=64), nullable=False),
    sa.Column('ent', sa.String(length=32), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('units', sa.BigInteger(), nullable=False),
    sa.Column('at', sa.BigInteger(), nullable=False),
    sa.Column('unit', sa.String(length=8), nullable=False),
    sa.Column('lim', sa.BigInteger(), nullable=False),
    sa.Column('per', sa.String(length=8), nullable=False),
    sa.Column('once', sa.Boolean(), nullable=False),
    sa.Column('tz', sa.String(length=64), nullable=False),
    sa.Column('voided', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['rid'], ['redemptions.uuid'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_draws_rid', 'draws', ['rid'], unique=False)
    op.create_index('ix_draws_sub', 'draws', ['iss', 'sub'], unique=False)
    op.create_table('redemption_lines',
    sa.Column('redemption_uuid', sa.String(length=36), nullable=False),
    sa.Column('line_no', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('cat', sa.String(length=64), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('qty', sa.BigInteger(), nullable=False),
    sa.Column('covered', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['redemption_uuid'], ['redemptions.uuid'], ),
    sa.PrimaryKeyConstraint('redemption_uuid', 'line_no')
    )


def downgrade() -> None:
    op.drop_table('redemption_lines')
    op.drop_index('ix_draws_sub', table_name='draws')
    op.drop_index('ix_draws_rid', table_name='draws')
    op.drop_table('draws')
    op.drop_index('ix_redemptions_sub', table_name='redemptions')
    op.drop_index('ix_redemptions_merchant_day', table_name='redemptions')
    op.drop_table('redemptions')
    op.drop_table('issued_codes')
    op.drop_table('standard_items')
    op.drop_table('merchant_programs')
    op.drop_table('merchant_categories')
    op.drop_table('enrollment_codes')
    op.drop_table('devices')
    op.drop_table('categories')
    op.drop_table('beneficiaries')
    op.drop_index('ix_usage_events_program', table_name='usage_events')
    op.drop_table('usage_events')
    op.drop_table('revocations')
    op.drop_table('programs')
    op.drop_index('ix_outcome_events_device', table_name='outcome_events')
    op.drop_table('outcome_events')
    op.drop_table('merchants')
    op.drop_table('ledger_locks')
    op.drop_table('issuer_keys')
    op.drop_table('feed_counter')
