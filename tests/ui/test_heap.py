"""After start-up the long-lived heap is frozen: full collections no longer walk it."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from merchant_pos.ui.heap import freeze_startup_heap
from tests.ui.conftest import Shop


@pytest.fixture
def unfreeze_after() -> Iterator[None]:
    yield
    gc.unfreeze()


def test_the_window_heap_is_frozen(shop: Shop, unfreeze_after: None) -> None:
    gc.unfreeze()  # an earlier test in this process may have run the counter (which freezes)
    walked_before = len(gc.get_objects(generation=2))
    frozen = freeze_startup_heap()
    walked_after = len(gc.get_objects(generation=2))
    assert walked_before > 10_000 and frozen > 10_000  # the window's heap is large ...
    assert walked_after < walked_before // 100  # ... and a full collection now skips it
    # Objects made afterwards are still collected.
    garbage: list[object] = []
    garbage.append(garbage)
    del garbage
    assert gc.collect() >= 1
