"""Look and language: a calm high-contrast style with big targets, and Qt translators.

Every colour the counter uses is in :data:`PALETTE`; the stylesheet is built
from it at a font scale of 100, 125 or 150 % (base text 16 px at 100 %).
``tests/ui/test_theme.py`` computes the contrast of every text colour against
its background from the stylesheet itself (at least 4.5:1, disabled included).
"""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from merchant_pos.resources import resource

FONT_SCALES = (100, 125, 150)
BASE_FONT_PX = 16

PALETTE = {
    "window": "#f6f7f9", "text": "#1b1f24", "base": "#ffffff", "muted": "#48525e",
    "card": "#eef3f8", "cardBorder": "#b8c7d6", "button": "#e6eaee", "buttonText": "#1b1f24",
    "disabledBg": "#e3e7eb", "disabledText": "#4d5661",
    "accent": "#1a5fd0", "onAccent": "#ffffff",
    "ok": "#1a7f37", "bad": "#b42318", "warn": "#8f4d00", "onBanner": "#ffffff",
    "info": "#e4ebf3", "okText": "#156b2e", "badText": "#a31f15", "warnText": "#7a4200",
}

_TEMPLATE = """
QWidget { font-size: 16px; color: %(text)s; }
QMainWindow, QDialog { background: %(window)s; }
QLineEdit, QPlainTextEdit, QSpinBox, QComboBox, QTableView {
    background: %(base)s; color: %(text)s; }
QPushButton, QToolButton { padding: 8px 14px; background: %(button)s; color: %(buttonText)s;
    border: 1px solid %(cardBorder)s; border-radius: 6px; }
QPushButton:disabled, QToolButton:disabled { background: %(disabledBg)s;
    color: %(disabledText)s; }
QPushButton:focus, QToolButton:focus { border: 2px solid %(accent)s; }
QLabel#beneficiaryName { font-size: 26px; font-weight: 600; }
QLabel#muted { color: %(muted)s; background: %(card)s; }
QLabel#entitlements { font-size: 17px; color: %(text)s; background: %(card)s; }
QFrame#beneficiaryCard { background: %(card)s; border: 1px solid %(cardBorder)s;
    border-radius: 8px; }
QScrollArea#entitlementScroll, QWidget#entitlementBody { background: %(card)s; }
QPushButton#categoryButton { font-size: 18px; min-height: 44px; }
QPushButton#categoryButton:checked { background: %(accent)s; color: %(onAccent)s; }
QLineEdit#amountField { font-size: 20px; min-height: 40px; }
QPushButton#confirmButton { font-size: 22px; font-weight: 600; min-height: 56px;
    background: %(ok)s; color: %(onBanner)s; border-radius: 8px; }
QPushButton#confirmButton:disabled { background: %(disabledBg)s; color: %(disabledText)s; }
QLabel#totals { font-size: 18px; }
QLabel#customerPays { font-size: 40px; font-weight: 700; }
QFrame#banner { background: %(info)s; border-radius: 8px; }
QFrame#banner[kind="accepted"] { background: %(ok)s; }
QFrame#banner[kind="rejected"] { background: %(bad)s; }
QFrame#banner[kind="nothing"], QFrame#banner[kind="question"] { background: %(warn)s; }
QLabel#bannerTitle { font-size: 24px; font-weight: 700; color: %(text)s;
    background: %(info)s; }
QLabel#bannerDetail { font-size: 17px; color: %(text)s; background: %(info)s; }
QLabel#bannerTitle[kind="accepted"], QLabel#bannerDetail[kind="accepted"] {
    color: %(onBanner)s; background: %(ok)s; }
QLabel#bannerTitle[kind="rejected"], QLabel#bannerDetail[kind="rejected"] {
    color: %(onBanner)s; background: %(bad)s; }
QLabel#bannerTitle[kind="nothing"], QLabel#bannerDetail[kind="nothing"],
QLabel#bannerTitle[kind="question"], QLabel#bannerDetail[kind="question"] {
    color: %(onBanner)s; background: %(warn)s; }
QLabel#message { font-size: 17px; color: %(text)s; }
QLabel#message[kind="error"] { color: %(badText)s; font-weight: 600; }
QLabel#message[kind="warning"] { color: %(warnText)s; }
QLabel#message[kind="success"] { color: %(okText)s; }
QLabel#forfeit { color: %(warnText)s; font-weight: 600; }
QLabel#errorText { color: %(badText)s; }
QLabel#syncWarning { color: %(warnText)s; }
"""

_SCALED = re.compile(r"(font-size|min-height): (\d+)px")


def stylesheet(scale: int = 100) -> str:
    """The counter's stylesheet at ``scale`` percent (100, 125 or 150)."""
    if scale not in FONT_SCALES:
        scale = 100
    return _SCALED.sub(lambda m: f"{m.group(1)}: {round(int(m.group(2)) * scale / 100)}px",
                       _TEMPLATE % PALETTE)


STYLE = stylesheet()


def palette() -> QPalette:
    """The application palette (what the stylesheet does not paint), disabled included."""
    pal = QPalette()
    c = {k: QColor(v) for k, v in PALETTE.items()}
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        pal.setColor(group, QPalette.ColorRole.Window, c["window"])
        pal.setColor(group, QPalette.ColorRole.WindowText, c["text"])
        pal.setColor(group, QPalette.ColorRole.Base, c["base"])
        pal.setColor(group, QPalette.ColorRole.Text, c["text"])
        pal.setColor(group, QPalette.ColorRole.Button, c["button"])
        pal.setColor(group, QPalette.ColorRole.ButtonText, c["buttonText"])
        pal.setColor(group, QPalette.ColorRole.PlaceholderText, c["muted"])
        pal.setColor(group, QPalette.ColorRole.Highlight, c["accent"])
        pal.setColor(group, QPalette.ColorRole.HighlightedText, c["onAccent"])
        pal.setColor(group, QPalette.ColorRole.ToolTipBase, c["base"])
        pal.setColor(group, QPalette.ColorRole.ToolTipText, c["text"])
    d = QPalette.ColorGroup.Disabled
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText, QPalette.ColorRole.PlaceholderText):
        pal.setColor(d, role, c["disabledText"])
    pal.setColor(d, QPalette.ColorRole.Window, c["window"])
    pal.setColor(d, QPalette.ColorRole.Base, c["disabledBg"])
    pal.setColor(d, QPalette.ColorRole.Button, c["disabledBg"])
    return pal


def apply_theme(app: QApplication, scale: int = 100) -> None:
    app.setPalette(palette())
    app.setStyleSheet(stylesheet(scale))
    font = QFont()
    font.setFamilies(["Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "sans-serif"])
    font.setPixelSize(round(BASE_FONT_PX * (scale if scale in FONT_SCALES else 100) / 100))
    app.setFont(font)


def qt_translations_dir() -> str:
    """Where PySide6 ships Qt's own catalogues (qtbase_zh_CN.qm, …)."""
    return QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)


_INSTALLED: list[QTranslator] = []


def install_translator(app: QCoreApplication, language: str) -> QTranslator | None:
    """Load the app's catalogue and Qt's own (qtbase) for ``language``; returns the app's.

    English gets the plural forms catalogue (``merchant_pos_en.qm``: "1 redemption").
    """
    remove_translators(app)
    english = language.startswith("en")
    QLocale.setDefault(QLocale(QLocale.Language.English) if english else QLocale(language))
    catalogue = resource("translations", f"merchant_pos_{'en' if english else language}.qm")
    ours: QTranslator | None = QTranslator(app)
    if ours is not None and not ours.load(str(catalogue)):
        ours = None
    if not english:
        # Qt's own strings (OK, Cancel, file/print/message dialogs, context menus), then
        # our supplement for the few that PySide6's qtbase catalogue leaves out.
        for name, folder in ((f"qtbase_{language}", qt_translations_dir()),
                             (f"qtbase_extra_{language}", str(resource("translations")))):
            qt = QTranslator(app)
            if qt.load(name, folder):
                app.installTranslator(qt)
                _INSTALLED.append(qt)
    if ours is not None:
        app.installTranslator(ours)
        _INSTALLED.append(ours)
    return None if english else ours


def remove_translators(app: QCoreApplication) -> None:
    """Undo :func:`install_translator` (tests switch languages)."""
    while _INSTALLED:
        app.removeTranslator(_INSTALLED.pop())
