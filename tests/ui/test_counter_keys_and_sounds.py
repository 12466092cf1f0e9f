"""Items of the counter that had no test: each sound file loads (and a failing player stays
silent), Tab walks every control and leaves the cart table, every button shows its key,
Ctrl+V hands a clipboard image to the photo input."""

from __future__ import annotations

import re
import wave

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from merchant_pos.ui.feedback import Feedback, Sound, SoundFeedback, sound_file
from tests.support.codes import claims, make_code
from tests.ui.conftest import Shop
from tests.ui.test_counter_window import _add, _scan

KEY = re.compile(r"\((Ctrl\+\w+|F\d+|Esc|Del|Enter|回车)\)$")


def test_each_sound_file_loads(qtbot: QtBot) -> None:
    for kind in Sound:  # short, distinct, readable WAV files (origin: scripts/make-sounds)
        with wave.open(sound_file(kind)) as wav:
            seconds = wav.getnframes() / wav.getframerate()
            assert 0.02 < seconds < 1.0 and wav.getnchannels() in (1, 2), kind
    lengths = set()
    for kind in Sound:
        with wave.open(sound_file(kind)) as wav:
            lengths.add(wav.readframes(wav.getnframes()))
    assert len(lengths) == len(Sound)  # four different sounds
    player = SoundFeedback()  # this machine may have no audio device: never raises
    assert set(player.effects) == set(Sound)
    player.play(Sound.ACCEPTED)
    assert player.played[Sound.ACCEPTED] == 1


def test_a_broken_player_stays_silent_and_counts() -> None:
    class Broken(Feedback):
        def _emit(self, kind: Sound) -> None:
            raise RuntimeError("no audio device")

    broken = Broken()
    broken.play(Sound.REJECTED)
    assert broken.played[Sound.REJECTED] == 1


def test_tab_walks_every_control_and_leaves_the_cart_table(shop: Shop, qtbot: QtBot) -> None:
    w = shop.window
    _scan(shop, qtbot, make_code(shop.key, claims(sub="B-TAB")))
    _add(shop, qtbot, "formula", "30")
    _add(shop, qtbot, "diaper", "20")  # cells to trap the focus, if the table kept Tab
    chain = w.view.tab_chain()
    w.entry.amount.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is w.entry.amount, timeout=5000)
    seen: list[QWidget] = []
    for _ in range(len(chain) + 5):
        focus = QApplication.focusWidget()
        assert focus is not None
        seen.append(focus)
        qtbot.keyClick(focus, Qt.Key.Key_Tab)
    # The category buttons are one exclusive group: Tab stops at the group once, as at a
    # row of radio buttons, and the arrow keys move along it (F1-F4 pick directly).
    group = w.entry.group.buttons()
    reachable = [c for c in chain if c.isEnabled() and c.isVisible() and c not in group]
    assert all(c in seen for c in reachable), [c for c in reachable if c not in seen]
    stops = [b for b in group if b in seen]
    assert len(stops) == 1, [b.text() for b in stops]
    stops[0].setFocus()
    qtbot.keyClick(stops[0], Qt.Key.Key_Right)
    moved = QApplication.focusWidget()
    assert moved in group and moved is not stops[0]
    at = seen.index(w.table)
    assert seen[at + 1] is not w.table  # one Tab and the focus has left the table


def test_every_counter_button_shows_its_key(shop: Shop) -> None:
    w = shop.window
    buttons = [b for b in w.findChildren(QPushButton) if b.isVisibleTo(w) and b.text()]
    buttons += list(w.banner.actions_)
    missing = [b.text() for b in buttons if not KEY.search(b.text())
               and b.objectName() != "stuckEntries"]
    assert missing == [], missing
    tools = [a.text() for a in w.toolbar.actions()]
    assert tools and all(KEY.search(t) for t in tools), tools


def test_ctrl_v_pastes_a_clipboard_image_into_the_photo_input(shop: Shop,
                                                              qtbot: QtBot) -> None:
    pasted: list[bool] = []

    class Photo:
        def paste(self) -> bool:
            pasted.append(True)
            return True

    w = shop.window
    w.services.extras["photo"] = Photo()
    image = QImage(40, 40, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    QApplication.clipboard().setImage(image)
    qtbot.keyClick(w.entry.amount, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert pasted == [True]
    QApplication.clipboard().setText("12")  # text: the price field pastes it as usual
    qtbot.keyClick(w.entry.amount, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert pasted == [True] and w.entry.amount.text() == "12"
