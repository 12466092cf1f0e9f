"""Scanning, Qt-free: camera capture, QR decoding, debounce, scanner and photo input.

- :mod:`.capture`: :class:`CaptureWorker` reads a webcam (index or name) or a
  video file on its own thread; states missing / busy / unplugged are
  reported and retried. Frames go to a :class:`FrameSlot` (newest only).
- :mod:`.decoders`: zxing-cpp (default) and pyzbar behind one interface,
  every call guarded; :class:`FramePipeline` = grey, optional downscale, decode.
- :mod:`.scanner`: :class:`ScanService` = capture thread + decode thread +
  :class:`Debouncer` + :func:`classify`; plain callbacks, no Qt.
- :mod:`.photo`: photos and screenshots (``merchant-pos decode`` uses it).
- :mod:`.wedge`: the rule telling a keyboard-wedge scanner from typing.
- :mod:`.messages`: message ids with zh_CN and en texts.

The Qt side is in ``merchant_pos/ui/scan_*.py``.
"""

import os
import sys

if sys.platform == "win32":
    # Must be set before OpenCV opens a camera: with hardware transforms on,
    # MSMF takes seconds to open many webcams. (We prefer DirectShow anyway.)
    os.environ.setdefault("OPENCV_VIDEOIO_MSMF_ENABLE_HW_TRANSFORMS", "0")
