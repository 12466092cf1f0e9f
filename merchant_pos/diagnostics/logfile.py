"""The log file: ``<data folder>/logs/merchant-pos.log``, rotating and size-bounded.

Sync attempts, errors with their ids, migrations and start-up facts go here
(stdlib :mod:`logging` with a :class:`~logging.handlers.RotatingFileHandler`).
Every line passes :func:`merchant_pos.diagnostics.redact.redact` first, so a
code text, token, PIN or secret is never written, not even in a traceback.
"""

from __future__ import annotations

import logging
import logging.handlers
import platform
import sys
from pathlib import Path

from merchant_pos.diagnostics.redact import redact

LOG_DIR = "logs"
LOG_FILE = "merchant-pos.log"
MAX_BYTES = 1_000_000  # per file
BACKUPS = 4  # so at most 5 MB of logs
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"
# Libraries that are chatty at INFO (the embedded server's access log, HTTP internals).
QUIET = {"uvicorn.access": logging.WARNING, "urllib3": logging.WARNING,
         "httpx": logging.WARNING, "httpcore": logging.WARNING, "asyncio": logging.WARNING}

log = logging.getLogger(__name__)


class RedactingFormatter(logging.Formatter):
    """Formats the whole record (message, arguments, traceback), then scrubs it."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class _OurHandler(logging.handlers.RotatingFileHandler):
    """Marks the handler this module installed, so configuring again replaces it."""


def log_dir(data_dir: Path) -> Path:
    return data_dir / LOG_DIR


def log_files(data_dir: Path) -> list[Path]:
    """The current log file and its rotated predecessors, newest first."""
    folder = log_dir(data_dir)
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{LOG_FILE}*"), key=lambda p: (p.name != LOG_FILE, p.name))


def configure_logging(data_dir: Path, *, level: int = logging.INFO,
                      max_bytes: int = MAX_BYTES, backups: int = BACKUPS) -> Path:
    """Send the program's log to ``data_dir/logs`` (replacing an earlier set-up)."""
    folder = log_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_FILE
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _OurHandler)]:
        root.removeHandler(old)
        old.close()
    handler = _OurHandler(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
    handler.setFormatter(RedactingFormatter(FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    for name, quiet in QUIET.items():
        logging.getLogger(name).setLevel(quiet)
    logging.captureWarnings(True)
    return path


def stop_logging() -> None:
    """Close the log file (tests; the end of a command)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _OurHandler)]:
        root.removeHandler(old)
        old.close()


def log_start_up(command: str, data_dir: Path, language: str) -> None:
    """The facts a supporter asks first: versions, system, folder, command, language."""
    from merchant_pos import __version__

    log.info("merchant-pos %s start: command %s, language %s, data folder %s",
             __version__, command, language, data_dir)
    log.info("python %s on %s (%s), frozen=%s", platform.python_version(),
             platform.platform(), platform.machine(), getattr(sys, "frozen", False))
    for line in versions():
        log.info("version %s", line)


def start_log(data_dir: Path, command: str, language: str) -> Path:
    """Configure the log file in ``data_dir`` and write the start-up facts."""
    path = configure_logging(data_dir)
    log_start_up(command, data_dir, language)
    return path


def versions() -> list[str]:
    """``name version`` of the libraries the counter depends on (those installed)."""
    from importlib import metadata

    out = []
    for dist in ("merchant-pos", "PySide6-Essentials", "opencv-python-headless", "zxing-cpp",
                 "numpy", "SQLAlchemy", "alembic", "requests", "cryptography", "pyzbar",
                 "python-escpos", "fastapi", "uvicorn", "tzdata"):
        try:
            out.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            continue
    return out
