"""Issue 13: a changed language applies without a restart. The counter window is rebuilt
in the new language (app and qtbase translators) on the same signed-in session, and
never in the middle of a sale: then it waits until this customer is done."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from merchant_pos.domain.quote import CartLine
from merchant_pos.scan.classify import ScanSource, classify
from merchant_pos.store import MerchantSettingsStore
from merchant_pos.ui.counter_window import CounterServices, CounterWindow
from merchant_pos.ui.feedback import Feedback
from merchant_pos.ui.labels import Labels
from merchant_pos.ui.language_switch import LanguageSwitch
from merchant_pos.ui.theme import install_translator, remove_translators
from tests.support.codes import claims, make_code
from tests.ui.conftest import PROGRAMS, Shop
from tests.ui.test_language import MEALS, stray, texts_of

DATA = {"马*花", "好孩子母婴店", "王主管", "李收银"}


@pytest.fixture
def chinese(qtbot: QtBot, shop: Shop) -> Iterator[CounterWindow]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    install_translator(app, "zh_CN")
    base = shop.window.services
    MerchantSettingsStore(shop.ledger).save_programs([*PROGRAMS, MEALS])  # what is synced
    services = CounterServices(base.redemptions, base.operators, base.profile,
                               Labels([*PROGRAMS, MEALS], "zh_CN"), "zh_CN",
                               feedback=Feedback())
    window = CounterWindow(services, shop.window.session)
    window.resize(1280, 800)
    window.show()
    opened = [window]
    yield window
    opened += [w for w in QApplication.topLevelWidgets() if isinstance(w, CounterWindow)]
    for w in opened:
        if shiboken6.isValid(w):  # the switched-from windows are deleted already
            w.final_sync.done = True
            w.close()
            w.deleteLater()
    remove_translators(app)


def _switch(qtbot: QtBot, window: CounterWindow, language: str) -> CounterWindow:
    switch = window.services.extras["language_switch"]
    assert isinstance(switch, LanguageSwitch)
    with qtbot.waitSignal(switch.switched, timeout=10_000) as sig:
        switch.request(language)
    new = sig.args[0]
    assert isinstance(new, CounterWindow) and new is not window
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
    assert new.session is window.session  # still signed in: the same ledger session
    assert new.services.language == language
    return new


def test_zh_to_en_and_back_without_a_restart(qtbot: QtBot, chinese: CounterWindow) -> None:
    zh_texts = texts_of(chinese)
    assert stray(zh_texts, "zh_CN", DATA) == []
    english = _switch(qtbot, chinese, "en")
    en_texts = texts_of(english)
    assert stray(en_texts, "en", DATA) == [], "Chinese left after switching to English"
    assert "The counter now uses the new language." in en_texts
    assert english.services.labels.category("formula") == "Formula"
    back = _switch(qtbot, english, "zh_CN")
    again = texts_of(back)
    assert stray(again, "zh_CN", DATA) == [], "English left after switching back"
    assert back.services.labels.category("formula") == "奶粉"
    words = re.compile(r"[A-Za-z]{3,} [A-Za-z]{3,}")  # an English phrase, not a key cap
    assert [t for t in set(en_texts) & set(again) if words.search(t)] == []


def test_mid_sale_the_switch_waits_for_this_customer(qtbot: QtBot, shop: Shop,
                                                    chinese: CounterWindow) -> None:
    w = chinese
    with qtbot.waitSignal(w.quoted, timeout=10_000):
        w.on_scan(classify(make_code(shop.key, claims(sub="B-LANG-SW")), ScanSource.SCANNER))
    with qtbot.waitSignal(w.quoted, timeout=10_000):
        w.add_line(CartLine("formula", 3000))
    switch = w.services.extras["language_switch"]
    switched: list[CounterWindow] = []
    switch.switched.connect(switched.append)
    switch.request("en")
    assert switched == [] and w.isVisible() and w.cart.rowCount() == 1  # the sale goes on
    assert "这位顾客" in w.banner.title.text()  # "after this customer", in Chinese still
    with qtbot.waitSignal(w.redeemed, timeout=10_000):
        w.confirm_redemption()
    qtbot.wait(50)
    assert switched == []  # the undo is on offer: not yet
    w.redemption.undo_expired()  # the undo's few seconds are over
    qtbot.waitUntil(lambda: bool(switched), timeout=10_000)
    assert stray(texts_of(switched[0]), "en", DATA) == []
