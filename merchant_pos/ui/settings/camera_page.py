"""Settings page: the camera (by name, with a live preview, or none) and the QR decoder.

Camera names come from Qt Multimedia's device list (when PySide6-Addons and its
libraries are there) merged with ``/sys/class/video4linux`` (Linux); with neither,
the cameras are offered by index. A video file path can be typed too (tests and
demos). The preview runs its own capture while the page is open; the
counter's camera switches to the saved choice without a restart
(:func:`apply_camera`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QPushButton, QWidget

from merchant_pos.scan.capture import CameraSource, CameraState, camera_names
from merchant_pos.scan.scanner import ScanSettings
from merchant_pos.store.device_settings import CAMERA, DECODER
from merchant_pos.store.settings import Setting, SettingsSnapshot, SettingValue
from merchant_pos.ui.scan_camera import CameraWorker
from merchant_pos.ui.scan_preview import ScanPreview
from merchant_pos.ui.settings.page import SettingsPage, changed_values

if TYPE_CHECKING:
    from merchant_pos.ui.counter_window import CounterServices, CounterWindow

INDEXES_WITHOUT_NAMES = 4
log = logging.getLogger(__name__)


def qt_camera_names() -> list[str] | None:
    """Qt Multimedia's camera descriptions, in its order; None when Qt Multimedia cannot
    load here (no PySide6-Addons, or a library it links to, like libpulse0, is missing)."""
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError:
        log.info("Qt Multimedia cannot load; cameras come from /sys or by index")
        return None
    return [d.description() for d in QMediaDevices.videoInputs()]


def merge_cameras(qt_names: list[str] | None, sysfs: dict[str, int]) -> list[tuple[str, str]]:
    """(label, setting value) of each camera once: Qt's list first, then /sys names it
    lacks. A name /sys knows is saved by name (it survives replugging); a camera only Qt
    knows (Windows, macOS) by its index in Qt's order, which is the capture's order."""
    devices: list[tuple[str, str]] = []
    seen: set[str] = set()
    for index, name in enumerate(qt_names or ()):
        if name and name not in seen:
            seen.add(name)
            devices.append((name, name if name in sysfs else str(index)))
    for name in sysfs:
        if name not in seen:
            seen.add(name)
            devices.append((name, name))
    if devices:
        return devices
    label = QCoreApplication.translate("CameraPage", "Camera {0}")
    return [(label.format(i), str(i)) for i in range(INDEXES_WITHOUT_NAMES)]


def camera_devices() -> list[tuple[str, str]]:
    """(label, setting value) of the cameras this computer reports."""
    return merge_cameras(qt_camera_names(), camera_names())


def make_camera(setting: str, decoder: str) -> CameraWorker | None:
    return CameraWorker(CameraSource.parse(setting), ScanSettings(decoder=decoder)) \
        if setting else None


class CameraPage(SettingsPage):
    def __init__(self, services: CounterServices) -> None:
        super().__init__()
        self.services = services
        self.snapshot = SettingsSnapshot()
        self.camera = QComboBox()
        self.camera.setEditable(True)  # a video file or an index can be typed too
        self.camera.addItem(self.tr("None (barcode scanner only)"), "")
        for label, value in camera_devices():
            self.camera.addItem(label, value)
        self.decoder = QComboBox()
        self.decoder.addItem(self.tr("zxing (faster, reads more)"), "zxing")
        self.decoder.addItem("pyzbar", "pyzbar")
        self.preview = ScanPreview()
        self.preview.setMinimumSize(320, 180)
        self.preview_button = QPushButton(self.tr("Show preview"))
        self.preview_button.clicked.connect(self.start_preview)
        note = QLabel(self.tr("The camera changes as soon as you press OK."))
        note.setObjectName("muted")
        form = QFormLayout(self)
        form.addRow(self.tr("Camera"), self.camera)
        form.addRow(self.tr("QR decoder"), self.decoder)
        form.addRow(self.preview_button)
        form.addRow(self.preview)
        form.addRow(note)
        self.worker: CameraWorker | None = None

    def title(self) -> str:
        return self.tr("Camera")

    def first_field(self) -> QWidget:
        return self.camera

    def chosen_camera(self) -> str:
        text = self.camera.currentText().strip()
        index = self.camera.findText(text)
        data = self.camera.itemData(index) if index >= 0 else None
        return str(data) if data is not None else text

    def load(self, snapshot: SettingsSnapshot) -> None:
        self.snapshot = snapshot
        value = snapshot.get(CAMERA)
        index = self.camera.findData(value)
        if index >= 0:
            self.camera.setCurrentIndex(index)
        else:
            self.camera.setEditText(value)
        self.decoder.setCurrentIndex(max(0, self.decoder.findData(snapshot.get(DECODER))))

    def changes(self) -> dict[Setting[SettingValue], SettingValue]:
        return changed_values(self.snapshot, {CAMERA: self.chosen_camera(),
                                              DECODER: str(self.decoder.currentData())})

    def start_preview(self) -> None:
        """Show the chosen camera; the counter's own camera is reused when it is the same."""
        self.stop_preview()
        setting = self.chosen_camera()
        running = self.services.camera
        if running is not None and setting == self.snapshot.get(CAMERA):
            self.preview.attach(running)
            return
        self.worker = make_camera(setting, str(self.decoder.currentData()))
        if self.worker is None:
            self.preview.set_state(CameraState.STOPPED.value, self.tr("No camera"))
            return
        self.preview.attach(self.worker)
        self.worker.start()

    def stop_preview(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker = None

    def hideEvent(self, event: QHideEvent) -> None:
        self.stop_preview()
        super().hideEvent(event)


def apply_camera(window: CounterWindow, setting: str, decoder: str) -> None:
    """Switch the counter to the saved camera now (stop the old one, start the new)."""
    services = window.services
    if services.camera is not None:
        services.camera.stop()
    services.camera = make_camera(setting, decoder)
    if services.camera is None:
        window.preview.set_state(CameraState.STOPPED.value, QCoreApplication.translate(
            "CameraPage", "Scan with the barcode scanner"))
        return
    window.preview.attach(services.camera)
    services.camera.scanned.connect(window.on_scan)
    services.camera.start()
