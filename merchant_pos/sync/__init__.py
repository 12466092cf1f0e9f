"""Sync engine: the HTTP client, retries, clock, offline policy, token store, engine.

No Qt here; a thin worker in ``ui/`` drives :class:`SyncEngine`.
"""
