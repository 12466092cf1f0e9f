"""Alembic migrations of the server's database (run by ``database.create_schema``)."""
