"""A guard against a refcount bug of shiboken6 6.12 on CPython 3.11.

shiboken6 6.12 returns ``None`` from every void or null-pointer call without
taking a reference to it, as if ``None`` were immortal (it is from CPython
3.12 on). On 3.11 each such call (``setText``, ``QTimer.start``,
``parentWidget()`` of a window, ...) drops one reference to ``None``; the
counter makes ~10,000 of them per customer, so after some minutes of a lunch
rush CPython aborts with "none_dealloc: deallocating None". Measured in this
repository: ``python -c`` loops of ``QLabel.setText`` lose exactly one
reference per call.

The proper fix is CPython >= 3.12 or a shiboken6 that increments; until then
this gives ``None`` a reference count no session can exhaust (2**60), which
is what 3.12 does for immortal objects. It does nothing on 3.12+.
"""

from __future__ import annotations

import ctypes
import sys

_HEADROOM = 1 << 60


def keep_none_alive() -> None:
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    refcount = ctypes.c_ssize_t.from_address(id(None))
    if refcount.value < _HEADROOM:
        refcount.value += _HEADROOM
