"""Suite-wide settings: Qt renders offscreen so every widget test runs without a screen."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
