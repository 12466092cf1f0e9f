"""Alembic migrations of the ledger, applied programmatically at start-up."""
