"""Where the ledger lives: the user's data directory, or an explicit override."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "merchant-pos"
DATA_DIR_ENV = "MERCHANT_POS_DATA_DIR"
LEDGER_FILE = "ledger.sqlite3"
BACKUP_DIR = "backups"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """``override`` if given, else ``$MERCHANT_POS_DATA_DIR``, else the platform's data dir."""
    if override is not None and str(override):
        return Path(override).expanduser()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=False))


def ledger_path(directory: Path) -> Path:
    return directory / LEDGER_FILE
