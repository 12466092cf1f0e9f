"""The reference central server merchant-pos syncs with (FastAPI, SQLAlchemy).

Runs standalone (``merchant-pos-server serve``) on SQLite or PostgreSQL, or
embedded in-process on a loopback port (:class:`EmbeddedServer`).
"""
