"""Alembic environment: always run on the connection handed over by ``create_schema``."""

from __future__ import annotations

from alembic import context

from merchant_pos.server.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only create_schema runs these migrations
    raise RuntimeError("server migrations run through merchant_pos.server.database only")

context.configure(connection=connection, target_metadata=metadata,
                  transaction_per_migration=False)
with context.begin_transaction():
    context.run_migrations()
