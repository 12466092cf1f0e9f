"""Alembic environment: always run on the connection handed over by the ledger."""

from __future__ import annotations

from alembic import context

from merchant_pos.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only the ledger runs these migrations
    raise RuntimeError("ledger migrations run through merchant_pos.store.migrate only")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    transaction_per_migration=False,
)
with context.begin_transaction():
    context.run_migrations()
