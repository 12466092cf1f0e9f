"""Suite-wide settings: Qt renders offscreen so every widget test runs without a screen, and
no test touches a keyring unless it installs one itself (tests/sync/test_token_store.py
does, and restores this): otherwise a test module's in-memory keyring class, merely
imported, would become keyring's default and the device secret of every ledger opened
afterwards would land in it instead of the data folder's credentials file, and a
developer's real keyring would collect test secrets."""

from __future__ import annotations

import os

import keyring
from keyring.backends import fail

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
keyring.set_keyring(fail.Keyring())

# The reference server's issuer keys are encrypted with a key-encryption key kept
# outside the database; the tests' servers (SQLite and PostgreSQL) share one in a
# temporary file (server/key_wrap.py).
if not os.environ.get("MPOS_SERVER_KEK") and not os.environ.get("MPOS_SERVER_KEK_FILE"):
    import tempfile

    os.environ["MPOS_SERVER_KEK_FILE"] = os.path.join(
        tempfile.mkdtemp(prefix="mpos-kek-"), "issuer.kek")
