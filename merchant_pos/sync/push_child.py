"""``python -m merchant_pos.sync.push_child``: the child side of
:mod:`merchant_pos.sync.push_process` (its own module, so that running it does
not re-import the package module that the engine already imported)."""

from __future__ import annotations

import sys

from merchant_pos.sync.push_process import run_child

if __name__ == "__main__":
    sys.exit(run_child())
