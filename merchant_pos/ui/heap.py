"""Keep garbage collection from pausing the window.

A full collection walks every tracked object. Once the window is up, the
heap holds Qt wrappers, SQLAlchemy's and pydantic's class machinery and the
like (about 140k objects) that live as long as the program: walking them
again and again while a sync thread allocates is what froze the UI thread
(GIL held) for 100-200 ms. ``gc.freeze()`` moves everything alive at that
moment to a permanent generation that collections skip; objects made later
are collected as usual.
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> int:
    """Collect once, then freeze what survives; returns how many objects were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
