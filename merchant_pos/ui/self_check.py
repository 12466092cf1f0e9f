"""The self-test's Qt checks: the application starts, the Chinese catalogue loads."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator
from PySide6.QtWidgets import QApplication

from merchant_pos.resources import resource
from merchant_pos.selftest import CheckFailed

# A string the counter shows and the zh_CN catalogue translates.
PROBE_CONTEXT, PROBE_SOURCE = "BeneficiaryCard", "No customer yet"


def use_offscreen_without_screen() -> bool:
    """Use Qt's offscreen platform on a Linux machine without a display."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return False
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    return True


def qt_check() -> str:
    use_offscreen_without_screen()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from PySide6 import __version__ as pyside_version

    return f"PySide6 {pyside_version}, platform {app.platformName()}"  # type: ignore[attr-defined]


def translations_check() -> str:
    """The counter's own translator (theme.install_translator) turns a probe into Chinese."""
    from merchant_pos.ui.theme import install_translator

    app = QCoreApplication.instance()
    if app is None:
        raise CheckFailed("Qt did not start")
    translator = install_translator(app, "zh_CN")
    if translator is None:
        raise CheckFailed(f"cannot load {resource('translations', 'merchant_pos_zh_CN.qm')}")
    try:
        text = QCoreApplication.translate(PROBE_CONTEXT, PROBE_SOURCE)
    finally:
        app.removeTranslator(translator)
    if not _chinese(text, PROBE_SOURCE):
        raise CheckFailed(f"{PROBE_SOURCE!r} -> {text!r}, not Chinese")
    qt_text = _qt_own_translation()
    return f"{PROBE_SOURCE!r} -> {text}; Qt: 'Cancel' -> {qt_text}"


def _chinese(text: str, source: str) -> bool:
    return text != source and any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _qt_own_translation() -> str:
    """Qt's own catalogue (its dialogs' buttons) is there too: a bundle must carry it."""
    app = QCoreApplication.instance()
    assert app is not None
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    translator = QTranslator()
    if not translator.load("qtbase_zh_CN", folder):
        raise CheckFailed(f"Qt's qtbase_zh_CN.qm is not in {folder}")
    app.installTranslator(translator)
    try:
        text = QCoreApplication.translate("QPlatformTheme", "Cancel")
    finally:
        app.removeTranslator(translator)
    if not _chinese(text, "Cancel"):
        raise CheckFailed(f"Qt's 'Cancel' -> {text!r}, not Chinese")
    return text
