"""Sounds the counter makes: one short, distinct sound per outcome.

Everything goes through :class:`Feedback` (``play(kind)``), which counts what
was asked for (the tests read ``played``). :class:`SoundFeedback` plays the
generated WAV files in ``merchant_pos/resources/sounds`` with Qt Multimedia's
``QSoundEffect``; a machine without audio (or without Qt Multimedia) stays
silent: playing never raises and never waits.
"""

from __future__ import annotations

import logging
from collections import Counter
from enum import StrEnum
from typing import Any

from PySide6.QtCore import QObject, QUrl

from merchant_pos.resources import resource

log = logging.getLogger(__name__)


class Sound(StrEnum):
    ACCEPTED = "accepted"  # a redemption was recorded
    REJECTED = "rejected"  # the code or the action was refused
    NOTHING = "nothing"  # the code is valid but covers nothing of this cart
    SCANNED = "scanned"  # a code was read


def sound_file(kind: Sound) -> str:
    return str(resource("sounds", f"{kind.value}.wav"))


class Feedback(QObject):
    """Counts every sound asked for; silent. The base of the real player."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.played: Counter[Sound] = Counter()
        self.enabled = True

    def play(self, kind: Sound) -> None:
        self.played[kind] += 1
        if self.enabled:
            try:
                self._emit(kind)
            except Exception:  # no audio device, broken backend: stay silent
                log.debug("could not play %s", kind, exc_info=True)

    def _emit(self, kind: Sound) -> None:
        """Make the sound (nothing here)."""


class SoundFeedback(Feedback):
    """Plays the bundled ``sounds/<kind>.wav`` through ``QSoundEffect`` (asynchronous)."""

    def __init__(self, parent: QObject | None = None, volume: float = 0.8) -> None:
        super().__init__(parent)
        self.effects: dict[Sound, Any] = {}
        try:
            from PySide6.QtMultimedia import QSoundEffect
        except ImportError:  # PySide6-Addons missing: silent, not broken
            log.info("Qt Multimedia is not installed; the counter is silent")
            return
        for kind in Sound:
            effect = QSoundEffect(self)
            effect.setSource(QUrl.fromLocalFile(sound_file(kind)))
            effect.setVolume(volume)
            self.effects[kind] = effect

    def _emit(self, kind: Sound) -> None:
        effect = self.effects.get(kind)
        if effect is not None:
            effect.play()  # returns at once; a missing device only logs in Qt
