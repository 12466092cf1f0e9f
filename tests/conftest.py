"""Suite-wide settings: Qt renders offscreen so every widget test runs without a screen;
no real keyring."""

from __future__ import annotations

import os

import keyring
from keyring.backends import fail

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# No test touches a real keyring, and none picks up a test's in-memory backend (a
# KeyringBackend subclass registers itself when its module is collected): the device
# token and the device secret go to their user-only files, which child processes and
# copied data folders see too. Tests of the keyring path install their own backend.
keyring.set_keyring(fail.Keyring())
