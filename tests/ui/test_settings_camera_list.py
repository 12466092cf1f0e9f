"""The camera picker's list: Qt Multimedia's devices merged with /sys, "none" first, and a
clean fall back when Qt Multimedia cannot load."""

from __future__ import annotations

import sys

import pytest
from pytestqt.qtbot import QtBot

from merchant_pos.scan.capture import camera_names
from merchant_pos.ui.settings.camera_page import (
    INDEXES_WITHOUT_NAMES,
    CameraPage,
    camera_devices,
    merge_cameras,
    qt_camera_names,
)
from tests.ui.conftest import Shop


def _entries(page: CameraPage) -> list[tuple[str, str]]:
    combo = page.camera
    return [(combo.itemText(i), str(combo.itemData(i))) for i in range(combo.count())]


def test_qt_multimedia_enumerates_here_and_the_page_lists_it(qtbot: QtBot, shop: Shop) -> None:
    names = qt_camera_names()  # bootstrap.sh installs what QtMultimedia links to (libpulse0)
    assert names is not None, "PySide6.QtMultimedia did not load"
    page = CameraPage(shop.window.services)
    qtbot.addWidget(page)
    entries = _entries(page)
    assert entries[0] == ("None (barcode scanner only)", "")
    assert entries[1:] == merge_cameras(names, camera_names())


def test_qt_and_sysfs_names_merge_once_each() -> None:
    merged = merge_cameras(["HD Webcam", "OBS Virtual Camera", "HD Webcam"],
                           {"HD Webcam": 2, "USB 2.0 Camera": 4})
    assert merged == [("HD Webcam", "HD Webcam"),  # /sys knows it: saved by name
                      ("OBS Virtual Camera", "1"),  # only Qt knows it: by Qt's index
                      ("USB 2.0 Camera", "USB 2.0 Camera")]  # only /sys knows it
    assert merge_cameras(None, {"USB 2.0 Camera": 0}) == [("USB 2.0 Camera", "USB 2.0 Camera")]
    assert merge_cameras([], {}) == [(f"Camera {i}", str(i))
                                     for i in range(INDEXES_WITHOUT_NAMES)]


def test_without_qt_multimedia_the_picker_falls_back(qtbot: QtBot, shop: Shop,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "PySide6.QtMultimedia", None)  # import now fails
    assert qt_camera_names() is None
    assert camera_devices() == merge_cameras(None, camera_names())
    page = CameraPage(shop.window.services)
    qtbot.addWidget(page)
    entries = _entries(page)
    assert entries[0][1] == "" and entries[1:] == merge_cameras(None, camera_names())
