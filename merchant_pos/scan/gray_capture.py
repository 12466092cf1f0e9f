"""Grey frames straight from the capture, without a colour conversion.

A webcam sends JPEG (MJPG) or YUYV; a recorded MJPG video holds JPEG
packets. Asked for its undecoded frames (``CAP_PROP_CONVERT_RGB`` off on a
camera, ``CAP_PROP_FORMAT`` -1 on an MJPG file through FFmpeg), the capture
hands them over as they are, and the grey frame the decoder reads is their
luma: the Y bytes of YUYV (a view, no copy), or the JPEG decoded to grey
(libjpeg skips the colour planes: cheaper than decoding colour and then
converting). The preview's colour frame is made only when a preview is
shown, from the same data: a JPEG wider than ``PREVIEW_MAX_WIDTH`` at half
size (libjpeg decodes it for about the price of the grey frame). A smaller
JPEG stream with a preview is read as BGR, as before: one colour decode and
a conversion cost less there than two decodes.
A backend that hands back something else is switched back to BGR frames,
which the decode thread converts as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import cv2
import numpy as np

log = logging.getLogger(__name__)

PREVIEW_MAX_WIDTH = 960  # the preview widget is about 640 px wide on a 1366x768 screen
_YUV = {"YUYV": (0, cv2.COLOR_YUV2BGR_YUYV), "YUY2": (0, cv2.COLOR_YUV2BGR_YUYV),
        "UYVY": (1, cv2.COLOR_YUV2BGR_UYVY)}

Split = tuple[np.ndarray | None, np.ndarray | None]


def _fourcc(cap: cv2.VideoCapture) -> str:
    code = int(cap.get(cv2.CAP_PROP_FOURCC))
    return "".join(chr((code >> (8 * i)) & 0xFF) for i in range(4))


def is_jpeg(raw: np.ndarray) -> bool:
    """A 1-D or one-row uint8 buffer starting with a JPEG's SOI marker."""
    if raw.dtype != np.uint8 or raw.size < 4 or not (raw.ndim == 1 or raw.shape[0] == 1):
        return False
    flat = raw.reshape(-1)
    return bool(flat[0] == 0xFF and flat[1] == 0xD8)


class RawFrames:
    """Splits a capture's undecoded frames into (preview image, grey frame)."""

    def __init__(self, cap: cv2.VideoCapture, wants_preview: Callable[[], bool],
                 undo: tuple[int, float]) -> None:
        self.wants_preview = wants_preview
        self.luma_channel, self.yuv_to_bgr = _YUV.get(_fourcc(cap), (0, cv2.COLOR_YUV2BGR_YUYV))
        self._undo = undo
        self.width = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        self.height = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))

    def accepts(self, raw: np.ndarray) -> bool:
        """Whether ``raw`` is something :meth:`split` understands."""
        if is_jpeg(raw):
            return True
        # a grey or YUYV buffer must have the frame's size (a driver may hand
        # back other packed layouts as a 2-D byte array: those are not grey)
        sized = not self.width or raw.shape[:2] == (self.height, self.width)
        return raw.dtype == np.uint8 and sized and (
            (raw.ndim == 2 and raw.shape[0] > 1)
            or (raw.ndim == 3 and raw.shape[2] in (2, 3)))

    def give_up(self, cap: cv2.VideoCapture) -> None:
        """Back to BGR frames from the capture."""
        log.info("the capture's raw frames are not JPEG, YUYV or grey; reading BGR")
        cap.set(*self._undo)

    def split(self, raw: np.ndarray) -> Split:
        """(image for the preview, grey frame for the decoder); (None, None) if unreadable."""
        if is_jpeg(raw):
            return self._jpeg(raw.reshape(-1))
        if raw.ndim == 2:
            return raw, raw
        if raw.shape[2] == 3:
            return raw, None  # already BGR: the decode thread converts it
        gray = raw[:, :, self.luma_channel]
        if not self.wants_preview():
            return gray, gray
        return cv2.cvtColor(raw, self.yuv_to_bgr), gray

    def _jpeg(self, buf: np.ndarray) -> Split:
        if not self.wants_preview():
            gray = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
            return gray, gray
        if self.width > PREVIEW_MAX_WIDTH:
            # a wide frame: a half-size colour preview plus the grey frame, the
            # two together about the price of one full colour decode
            gray = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
            if gray is None:
                return None, None
            image = cv2.imdecode(buf, cv2.IMREAD_REDUCED_COLOR_2)
            return (image if image is not None else gray), gray
        # a small frame: the preview at full size, grey from it on this thread
        image = cv2.imdecode(buf, cv2.IMREAD_COLOR)
        if image is None:
            return None, None
        return image, cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def raw_frames(cap: cv2.VideoCapture, wants_preview: Callable[[], bool]) -> RawFrames | None:
    """Switch an opened capture to undecoded frames, where its backend allows."""
    try:
        fourcc = _fourcc(cap)
        if fourcc == "MJPG" and wants_preview() \
                and 0 < cap.get(cv2.CAP_PROP_FRAME_WIDTH) <= PREVIEW_MAX_WIDTH:
            # a small JPEG shown in full colour: decoding it to grey as well would cost
            # more than the decode thread's conversion of the colour frame
            return None
        if cap.getBackendName() == "FFMPEG":  # a video file
            if fourcc != "MJPG" or not cap.set(cv2.CAP_PROP_FORMAT, -1):
                return None
            return RawFrames(cap, wants_preview, (cv2.CAP_PROP_FORMAT, 0))
        if not cap.set(cv2.CAP_PROP_CONVERT_RGB, 0):
            return None
        return RawFrames(cap, wants_preview, (cv2.CAP_PROP_CONVERT_RGB, 1))
    except cv2.error:
        log.debug("the capture will not hand over raw frames", exc_info=True)
        return None
