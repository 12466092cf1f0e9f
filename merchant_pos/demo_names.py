"""Names of the demo's shops, importable without the database or the network (the CLI's
``--help`` lists them)."""

from __future__ import annotations

DEMO_MERCHANTS = ("canteen-01", "baby-shop-01", "clinic-01")
