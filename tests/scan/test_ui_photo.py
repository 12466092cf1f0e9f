"""Photo input in Qt: files, drag-and-drop and the clipboard, decoded off the UI thread."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from merchant_pos.scan.classify import CodeKind, ScanSource
from merchant_pos.scan.messages import ScanMessage, message
from merchant_pos.scan.photo import PhotoResult
from merchant_pos.ui.scan_camera import qimage_over
from merchant_pos.ui.scan_photo import PhotoInput, image_paths, qimage_to_gray
from tests.scan.conftest import qr_gray


def png(tmp_path: Path, text: str, name: str = "code.png") -> Path:
    path = tmp_path / name
    cv2.imwrite(str(path), qr_gray(text, module_px=3))
    return path


def test_files_are_decoded_off_the_ui_thread(
    qtbot: QtBot, tmp_path: Path, bc1_texts: list[str]
) -> None:
    photos = PhotoInput()
    with qtbot.waitSignal(photos.scanned, timeout=5000) as got:
        photos.decode_files([png(tmp_path, bc1_texts[0])])
    assert got.args[0].text == bc1_texts[0]
    assert got.args[0].source is ScanSource.PHOTO and got.args[0].kind is CodeKind.BENEFICIARY
    assert photos.wait()


def test_an_image_without_a_code_tells_the_clerk(qtbot: QtBot, tmp_path: Path) -> None:
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((100, 160), 255, np.uint8))
    photos = PhotoInput()
    with qtbot.waitSignal(photos.failed, timeout=5000) as got:
        photos.decode_files([blank])
    assert got.args[0] == str(blank)
    assert got.args[1] in (message(ScanMessage.PHOTO_NO_CODE, "zh_CN"),
                           message(ScanMessage.PHOTO_NO_CODE, "en"))


def test_dropping_an_image_file(qtbot: QtBot, tmp_path: Path, bc1_texts: list[str]) -> None:
    target = QLabel("drop a photo here")
    qtbot.addWidget(target)
    target.show()
    photos = PhotoInput()
    photos.accept_drops_on(target)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(png(tmp_path, bc1_texts[1])))])
    pos = QPointF(5, 5)
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, buttons, mods)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    drop = QDropEvent(pos, Qt.DropAction.CopyAction, mime, buttons, mods)
    with qtbot.waitSignal(photos.scanned, timeout=5000) as got:
        QApplication.sendEvent(target, drop)
    assert drop.isAccepted()
    assert got.args[0].text == bc1_texts[1]


def test_text_that_is_not_an_image_is_not_accepted(qtbot: QtBot, tmp_path: Path) -> None:
    target = QLabel()
    qtbot.addWidget(target)
    photos = PhotoInput()
    photos.accept_drops_on(target)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "notes.txt"))])
    assert image_paths(mime) == []
    enter = QDragEnterEvent(
        QPointF(1, 1), Qt.DropAction.CopyAction, mime,
        Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
    )
    enter.ignore()
    QApplication.sendEvent(target, enter)
    assert not enter.isAccepted()


def test_pasting_a_screenshot_from_the_clipboard(qtbot: QtBot, bc1_texts: list[str]) -> None:
    symbol = np.ascontiguousarray(np.dstack([qr_gray(bc1_texts[2], module_px=3)] * 3))
    clipboard = QGuiApplication.clipboard()
    clipboard.setImage(qimage_over(symbol).copy())
    photos = PhotoInput()
    results: list[PhotoResult] = []
    photos.decoded.connect(results.append)
    with qtbot.waitSignal(photos.scanned, timeout=5000) as got:
        assert photos.paste(clipboard)
    assert got.args[0].text == bc1_texts[2]
    assert results[0].file == "clipboard"
    clipboard.clear()
    assert not photos.paste(clipboard)


def test_qimage_to_gray_handles_padded_rows() -> None:
    image = QImage(33, 7, QImage.Format.Format_RGB888)  # 99-byte rows, padded to 100
    image.fill(Qt.GlobalColor.white)
    image.setPixelColor(32, 6, Qt.GlobalColor.black)
    gray = qimage_to_gray(image)
    assert gray.shape == (7, 33)
    assert gray[6, 32] == 0 and gray[0, 0] == 255
