"""Suite-wide settings: Qt renders offscreen so every widget test runs without a screen."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The reference server's issuer keys are encrypted with a key-encryption key kept
# outside the database; the tests' servers (SQLite and PostgreSQL) share one in a
# temporary file (server/key_wrap.py).
if not os.environ.get("MPOS_SERVER_KEK") and not os.environ.get("MPOS_SERVER_KEK_FILE"):
    import tempfile

    os.environ["MPOS_SERVER_KEK_FILE"] = os.path.join(
        tempfile.mkdtemp(prefix="mpos-kek-"), "issuer.kek")
