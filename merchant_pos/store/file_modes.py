"""Nothing for other local users: the data folder 0700, its files 0600 (POSIX).

On Windows the data folder sits in the user's profile, whose ACL already keeps
other users out; nothing here changes it. Only group and other bits are ever
removed: a folder or file the owner made read-only stays read-only (the ledger
refuses it with READ_ONLY rather than quietly making it writable).
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
POSIX = os.name == "posix"
LEDGER_SUFFIXES = ("", "-wal", "-shm", "-journal")


def restrict(path: Path) -> None:
    """Take group and other permissions away from ``path`` if it exists (POSIX)."""
    if not POSIX:
        return
    try:
        st = path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode):
        return
    keep = PRIVATE_DIR if stat.S_ISDIR(st.st_mode) else PRIVATE_FILE
    mode = stat.S_IMODE(st.st_mode)
    if mode & ~keep:
        os.chmod(path, mode & keep)


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed; the folder itself ends up 0700."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    restrict(path)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty as 0600 unless it exists; an existing one loses group/other."""
    if POSIX:
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    restrict(path)
    return path


def restrict_ledger_files(db_path: Path) -> None:
    """The ledger and its -wal, -shm (and any rollback journal)."""
    for suffix in LEDGER_SUFFIXES:
        restrict(Path(f"{db_path}{suffix}"))

