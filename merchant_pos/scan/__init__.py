"""Scanning, Qt-free: camera capture, QR decoding, debounce, scanner and photo input.

The UI bridges these to Qt in ``merchant_pos/ui/scan_*.py``.
"""

import os
import sys

if sys.platform == "win32":
    # Must be set before OpenCV opens a camera: with hardware transforms on,
    # MSMF takes seconds to open many webcams. (We prefer DirectShow anyway.)
    os.environ.setdefault("OPENCV_VIDEOIO_MSMF_ENABLE_HW_TRANSFORMS", "0")
