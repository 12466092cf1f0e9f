"""Every UI string has its zh_CN translation, and the compiled catalogue is current."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from merchant_pos.ui.theme import install_translator
from tests.ui.conftest import Shop

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "merchant_pos" / "resources" / "translations" / "merchant_pos_zh_CN.ts"
BIN = Path(sys.executable).parent


def test_every_ui_string_is_translated(tmp_path: Path) -> None:
    ts = tmp_path / TS.name
    shutil.copy(TS, ts)
    sources = sorted(str(p) for p in (ROOT / "merchant_pos" / "ui").rglob("*.py"))
    subprocess.run([str(BIN / "pyside6-lupdate"), "-no-obsolete", "-locations", "none",
                    *sources, "-ts", str(ts)], check=True, capture_output=True, timeout=120)
    untranslated = [
        m.findtext("source") for m in ET.parse(ts).iter("message")
        if not "".join(m.find("translation").itertext()).strip()  # type: ignore[union-attr]
        or m.find("translation").get("type") == "unfinished"  # type: ignore[union-attr]
    ]
    assert untranslated == [], "run scripts/update-translations and translate these"


def test_english_plural_catalogue_is_current(tmp_path: Path) -> None:
    en = TS.with_name("merchant_pos_en.ts")
    qm = tmp_path / "en.qm"
    subprocess.run([str(BIN / "pyside6-lrelease"), "-silent", str(en), "-qm", str(qm)],
                   check=True, capture_output=True, timeout=120)
    assert qm.read_bytes() == en.with_suffix(".qm").read_bytes()
    forms = [[f.text for f in m.iter("numerusform")] for m in ET.parse(en).iter("message")]
    assert forms and all(len(f) == 2 and f[0] != f[1] for f in forms)  # one, many


def test_compiled_catalogue_is_current(tmp_path: Path) -> None:
    qm = tmp_path / "zh.qm"
    subprocess.run([str(BIN / "pyside6-lrelease"), "-silent", str(TS), "-qm", str(qm)],
                   check=True, capture_output=True, timeout=120)
    assert qm.read_bytes() == TS.with_suffix(".qm").read_bytes(), \
        "run scripts/update-translations"


def test_counter_speaks_chinese(qtbot: QtBot, shop: Shop, tmp_path: Path) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translator = install_translator(app, "zh_CN")
    assert translator is not None
    try:
        from merchant_pos.ui.counter_window import CounterWindow

        window = CounterWindow(shop.window.services, shop.window.session)
        qtbot.addWidget(window)
        assert window.confirm.text() == "确认核销 (回车)"  # the key name from qtbase_zh_CN
        assert window.card.name.text() == "等待顾客"
        window.close()
    finally:
        app.removeTranslator(translator)
