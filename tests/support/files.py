"""Searching a data folder's bytes (ledger, -wal, -shm, backups, credentials, free pages)."""

from __future__ import annotations

from pathlib import Path


def files_holding(folder: Path, text: str) -> list[str]:
    """Every file under ``folder`` whose bytes contain ``text`` or its last 40 characters
    (a code's signature end): free pages and WAL frames are in the bytes too."""
    needles = (text.encode(), text[-40:].encode())
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()
                  and any(n in p.read_bytes() for n in needles))
