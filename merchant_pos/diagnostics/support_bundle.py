"""``support-bundle``: one zip a supporter can read, with nothing secret in it.

It holds the log files, versions, the ledger's facts (``ledger info``), an
outbox summary (counts, ages, error ids: never a payload, which carries the
code text), the audit verification and the device settings without
credentials. The credentials file, the device secret, tokens, PINs and code
texts are never copied; every text passes :func:`redact` on its way in.
"""

from __future__ import annotations

import json
import platform
import sqlite3
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from merchant_pos.diagnostics.logfile import log_files, versions
from merchant_pos.diagnostics.redact import REDACTED, redact

# Setting keys whose values are never copied (matched as substrings, lower case).
SECRET_SETTING_PARTS = ("token", "secret", "pin", "password", "credential", "key", "code")


def write_support_bundle(data_dir: Path, out: Path) -> list[str]:
    """Write the bundle for the counter in ``data_dir`` to ``out``; returns its entries."""
    from merchant_pos.store.paths import ledger_path

    entries: dict[str, str] = {
        "README.txt": _readme(data_dir),
        "versions.txt": _versions(),
    }
    path = ledger_path(data_dir)
    if path.exists():
        for name, make in _ledger_parts(data_dir).items():
            entries[name] = _guarded(make)
    else:
        entries["ledger-info.txt"] = f"no ledger at {path}\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, text in entries.items():
            z.writestr(name, redact(text))
        for log in log_files(data_dir):
            z.writestr(f"logs/{log.name}", redact(log.read_text(encoding="utf-8",
                                                                errors="replace")))
    return sorted([*entries, *(f"logs/{p.name}" for p in log_files(data_dir))])


def _guarded(make: Callable[[], str]) -> str:
    try:
        return make()
    except Exception as exc:  # a broken ledger is what the supporter needs to see
        return f"could not read: {type(exc).__name__}: {exc}\n"


def _readme(data_dir: Path) -> str:
    return (f"merchant-pos support bundle, written {time.strftime('%Y-%m-%d %H:%M:%S %z')}\n"
            f"data folder: {data_dir}\n"
            "Holds no credentials, device secret, token, PIN or code text.\n")


def _versions() -> str:
    lines = [f"python {platform.python_version()} ({sys.executable})",
             f"platform {platform.platform()} {platform.machine()}",
             f"frozen {getattr(sys, 'frozen', False)}", *versions()]
    return "\n".join(lines) + "\n"


def _ledger_parts(data_dir: Path) -> dict[str, Callable[[], str]]:
    from merchant_pos.store import Ledger, RedemptionOutbox
    from merchant_pos.store.migrate import read_revision
    from merchant_pos.store.paths import ledger_path

    def info() -> str:
        with Ledger.open(data_dir, background_checkpoints=False) as ledger:
            counts = RedemptionOutbox(ledger).status_counts()
            head = ledger.audit_head()
            return (f"ledger: {ledger.path}\n"
                    f"revision: {read_revision(ledger_path(data_dir))}\n"
                    f"size: {ledger.path.stat().st_size} bytes\n"
                    f"integrity: {'ok' if ledger.integrity_ok() else 'FAILED'}\n"
                    f"outbox: {counts or 'empty'}\n"
                    f"audit chain head: row {head.seq} {head.hash[:16]}\n")

    def audit() -> str:
        with Ledger.open(data_dir, background_checkpoints=False) as ledger:
            result = ledger.verify_audit()
        return f"ok: {result.ok}\n{result.message('en')}\n{result.message('zh_CN')}\n"

    return {"ledger-info.txt": info, "outbox-summary.txt": lambda: _outbox(data_dir),
            "audit-verify.txt": audit, "settings.json": lambda: _settings(data_dir)}


def _read_only(data_dir: Path) -> sqlite3.Connection:
    from merchant_pos.store.paths import ledger_path

    return sqlite3.connect(f"{ledger_path(data_dir).as_uri()}?mode=ro", uri=True)


def _outbox(data_dir: Path) -> str:
    """Counts by kind and status, ages, attempts and error ids; no payloads."""
    conn = _read_only(data_dir)
    try:
        rows = conn.execute(
            "SELECT kind, status, count(*), min(created_at), max(created_at), max(attempts) "
            "FROM outbox GROUP BY kind, status ORDER BY kind, status").fetchall()
        errors = conn.execute(
            "SELECT coalesce(last_error, ''), coalesce(result_reason, ''), count(*) "
            "FROM outbox WHERE last_error IS NOT NULL OR result_reason IS NOT NULL "
            "GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 50").fetchall()
    finally:
        conn.close()
    lines = ["kind status count oldest newest max_attempts"]
    lines += [" ".join(str(v) for v in row) for row in rows] or ["(empty)"]
    lines += ["", "last_error result_reason count"]
    lines += [" ".join(str(v) or "-" for v in row) for row in errors] or ["(none)"]
    return "\n".join(lines) + "\n"


def _settings(data_dir: Path) -> str:
    conn = _read_only(data_dir)
    try:
        rows = conn.execute("SELECT key, value FROM settings ORDER BY key").fetchall()
    finally:
        conn.close()
    out: dict[str, object] = {}
    for key, value in rows:
        if any(part in key.lower() for part in SECRET_SETTING_PARTS):
            out[key] = REDACTED
            continue
        try:
            out[key] = json.loads(value)
        except (TypeError, ValueError):
            out[key] = value
    return json.dumps(out, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
