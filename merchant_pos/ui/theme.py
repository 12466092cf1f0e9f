"""Look and language: a calm high-contrast style with big targets, and Qt translators."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from merchant_pos.resources import resource

STYLE = """
QWidget { font-size: 15px; }
QLabel#beneficiaryName { font-size: 26px; font-weight: 600; }
QLabel#muted { color: #555; }
QLabel#entitlements { font-size: 16px; line-height: 140%; }
QFrame#beneficiaryCard { background: #f3f7fb; border: 1px solid #c9d6e3; border-radius: 8px; }
QPushButton { padding: 8px 14px; }
QPushButton#categoryButton { font-size: 18px; min-height: 44px; }
QPushButton#categoryButton:checked { background: #1f6feb; color: white; }
QLineEdit#amountField { font-size: 20px; min-height: 40px; }
QPushButton#confirmButton { font-size: 22px; font-weight: 600; min-height: 56px;
                            min-width: 240px; background: #1a7f37; color: white;
                            border-radius: 8px; }
QPushButton#confirmButton:disabled { background: #9db8a4; color: #eef3ef; }
QLabel#totals { font-size: 18px; }
QLabel#customerPays { font-size: 28px; font-weight: 700; }
QLabel#message[kind="error"] { color: #b42318; font-size: 18px; font-weight: 600; }
QLabel#message[kind="warning"] { color: #9a6700; font-size: 17px; }
QLabel#message[kind="success"] { color: #1a7f37; font-size: 17px; }
QLabel#errorText { color: #b42318; }
QLabel#syncWarning { color: #9a6700; }
"""


def apply_theme(app: QApplication) -> None:
    app.setStyleSheet(STYLE)
    font = QFont()
    font.setFamilies(["Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "sans-serif"])
    app.setFont(font)


def install_translator(app: QCoreApplication, language: str) -> QTranslator | None:
    """Load ``merchant_pos/resources/translations/merchant_pos_<language>.qm``; None for English."""
    if language.startswith("en"):
        QLocale.setDefault(QLocale(QLocale.Language.English))
        return None
    QLocale.setDefault(QLocale(language))
    translator = QTranslator(app)
    if translator.load(str(resource("translations", f"merchant_pos_{language}.qm"))):
        app.installTranslator(translator)
        return translator
    return None
