"""The Qt user interface: the only package that imports PySide6."""

from merchant_pos.ui._none_refcount import keep_none_alive

keep_none_alive()  # before any PySide6 call: see _none_refcount.py
