"""Scanning, Qt-free: camera capture, QR decoding, debounce, scanner and photo input.

The UI bridges these to Qt in ``merchant_pos/ui/scan_*.py``.
"""
