"""The camera preview: the newest frame, scaled to fit, with a status banner."""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from merchant_pos.scan.capture import CameraState
from merchant_pos.ui.scan_camera import CameraWorker, PreviewFrame

_BANNER_COLOURS = {
    "info": QColor(20, 20, 20, 170),
    "warning": QColor(190, 110, 0, 225),
    "ok": QColor(20, 120, 60, 225),
}
_STATE_KIND = {
    CameraState.RUNNING.value: "info",
    CameraState.STARTING.value: "info",
    CameraState.STOPPED.value: "info",
    CameraState.ENDED.value: "info",
}


class ScanPreview(QWidget):
    """Paints the latest preview frame; a banner says what the camera is doing
    or what just happened (e.g. "this is not a beneficiary code")."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 200)
        self._preview: PreviewFrame | None = None
        self._state_text = self.tr("Camera off")
        self._state_kind = "info"
        self._notice: tuple[str, str] | None = None
        self._notice_timer = QTimer(self)
        self._notice_timer.setSingleShot(True)
        self._notice_timer.timeout.connect(self._clear_notice)
        self._worker: CameraWorker | None = None
        self.frames_shown = 0

    def sizeHint(self) -> QSize:
        return QSize(640, 360)

    def attach(self, worker: CameraWorker) -> None:
        """Show ``worker``'s frames and state."""
        self._worker = worker
        worker.previewReady.connect(self._take_frame)
        worker.stateChanged.connect(self.set_state)

    def _take_frame(self) -> None:
        if self._worker is None:
            return
        preview = self._worker.take_preview()
        if preview is not None:
            self.show_frame(preview)

    def show_frame(self, preview: PreviewFrame) -> None:
        self._preview = preview
        self.frames_shown += 1
        self.update()

    def set_state(self, state: str, text: str) -> None:
        self._state_text = text
        self._state_kind = _STATE_KIND.get(state, "warning")
        if state in (CameraState.MISSING.value, CameraState.BUSY.value,
                     CameraState.UNPLUGGED.value, CameraState.STOPPED.value):
            self._preview = None  # no stale picture of a camera that is gone
        self.update()

    def show_notice(self, text: str, kind: str = "warning", ms: int = 4000) -> None:
        """A message over the preview for ``ms`` milliseconds (e.g. after a scan)."""
        self._notice = (text, kind)
        self._notice_timer.start(ms)
        self.update()

    def _clear_notice(self) -> None:
        self._notice = None
        self.update()

    @property
    def banner_text(self) -> str:
        return self._notice[0] if self._notice else self._state_text

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        p.fillRect(self.rect(), QColor(38, 40, 44))
        if self._preview is not None:
            img: QImage = self._preview.image
            size = img.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(self.rect().center())
            p.drawImage(target, img)
        else:
            p.setPen(QPen(QColor(110, 114, 120), 3))
            r = QRectF(0, 0, 84, 60)
            r.moveCenter(QRectF(self.rect()).center())
            r.translate(0, -30)
            p.drawRoundedRect(r, 10, 10)
            p.drawEllipse(r.center(), 16, 16)
        text, kind = self._notice or (self._state_text, self._state_kind)
        font = QFont(self.font())
        font.setPointSizeF(max(11.0, self.height() / 26))
        p.setFont(font)
        metrics = p.fontMetrics()
        margin = 12
        flags = Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignCenter
        bound = metrics.boundingRect(
            QRect(0, 0, self.width() - 4 * margin, 1000), int(flags), text)
        banner = QRect(margin, self.height() - bound.height() - 3 * margin,
                       self.width() - 2 * margin, bound.height() + 2 * margin)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(_BANNER_COLOURS[kind])
        p.drawRoundedRect(banner, 8, 8)
        p.setPen(QColor(255, 255, 255))
        p.drawText(banner.adjusted(margin, 0, -margin, 0), int(flags), text)
        p.end()
