"""Pushing a large outbox from a child process, so the window's process keeps its GIL.

A push of thousands of entries is Python work (rows read, items built, JSON
encoded and decoded, answers written) on the sync threads for seconds; in the
window's process every stretch of it holds the GIL, and on a busy 2-core
counter PC a GIL holder that the OS preempts stalls the event loop until it
runs again (measured by ``python -m merchant_pos.bench counter_stall``). A
child process has its own interpreter: the window's process only waits on a
pipe.

The child runs the same :class:`~merchant_pos.sync.push.OutboxPusher` with the
same retry policy on its own connection to the same ledger file (SQLite locks
between processes; the audit chain's head is read inside each write
transaction), and reports progress, its counters and its last clock reading
as JSON lines. The parent holds the engine's running lock all the while, so
nothing else pushes. If anything goes wrong in the child (it cannot start, the
server refuses, an answer cannot be read), the child stops and the parent
pushes what is still pending itself, exactly as it would have without a
child: an entry is answered only once its answer arrived and was written, and
the server recognises a resent UUID.
"""

from __future__ import annotations

import contextlib
import json
import logging
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from merchant_pos.sync.errors import Cancelled
from merchant_pos.sync.report import SyncReport

log = logging.getLogger(__name__)

CHILD_MIN_PENDING = 1000  # smaller pushes take well under a second: not worth a process
CHILD_COMMAND = [sys.executable, "-m", "merchant_pos.sync.push_child"]
COUNTERS = ("pushed", "accepted", "duplicates", "conflicts", "rejected", "errors", "retries",
            "left_pending", "stuck")


def push_in_child(spec: dict[str, Any], cancel: threading.Event, report: SyncReport,
                  progress: Callable[[str, int], None],
                  observe: Callable[[float, float, float], object]) -> bool:
    """Push in a child process; True if it finished the push (``report`` updated),
    False if the parent should push (what is still pending) itself.
    Raises :class:`Cancelled` if ``cancel`` was set."""
    try:
        child = subprocess.Popen(CHILD_COMMAND, stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True, encoding="utf-8")
    except OSError:
        log.warning("could not start the push process; pushing in process", exc_info=True)
        return False
    assert child.stdin is not None and child.stdout is not None
    stdin: IO[str] = child.stdin
    stop_watch = threading.Event()

    def watch_cancel() -> None:
        while not stop_watch.is_set():
            if cancel.wait(0.2):
                _send(stdin, "cancel")
                return

    watcher = threading.Thread(target=watch_cancel, name="mpos-push-cancel", daemon=True)
    result: dict[str, Any] | None = None
    base = report.pushed
    try:
        _send(stdin, json.dumps(spec))
        watcher.start()
        for line in child.stdout:  # blocking reads release the GIL
            message = json.loads(line)
            if "progress" in message:
                progress("push", base + int(message["progress"]))
            elif "result" in message:
                result = message["result"]
    except (OSError, ValueError):
        log.warning("the push process's answer was unreadable", exc_info=True)
    finally:
        stop_watch.set()
        with contextlib.suppress(OSError):
            stdin.close()
        try:
            child.wait(30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        child.stdout.close()
    if result is None:
        return False
    for name in COUNTERS:
        value = int(result.get(name, 0))
        setattr(report, name, value if name in ("left_pending", "stuck")
                else getattr(report, name) + value)
    clock = result.get("clock")
    if isinstance(clock, list) and len(clock) == 3:
        observe(float(clock[0]), float(clock[1]), float(clock[2]))
    if result.get("outcome") == "cancelled":
        raise Cancelled()
    if result.get("outcome") != "done":
        log.info("the push process stopped (%s); pushing the rest in process",
                 result.get("outcome"))
        return False
    return True


def _send(stream: IO[str], text: str) -> None:
    try:
        stream.write(text + "\n")
        stream.flush()
    except (OSError, ValueError):
        pass  # the child has gone: its answer (or its absence) says what happened


def run_child() -> int:
    """The child's side: one push, then a result line."""
    from merchant_pos.store import Ledger
    from merchant_pos.sync import server_api
    from merchant_pos.sync.clock import CorrectedClock
    from merchant_pos.sync.engine import SyncEngine
    from merchant_pos.sync.http_client import ApiClient
    from merchant_pos.sync.ledger_port import SyncLedger
    from merchant_pos.sync.push import OutboxPusher
    from merchant_pos.sync.token_store import TokenStore

    spec = json.loads(sys.stdin.readline())
    cancel = threading.Event()

    def watch_stdin() -> None:
        for line in sys.stdin:
            if line.strip() == "cancel":
                cancel.set()
        cancel.set()  # the parent has gone: stop after the batch on the wire

    clock = CorrectedClock(offset=float(spec["offset"]))
    path = Path(spec["ledger"])
    ledger = Ledger.open(path=path, clock=clock.now, background_checkpoints=False)
    report = SyncReport(started_at=clock.now())
    reading: list[float] = []
    outcome = "failed"
    try:
        sync_ledger = SyncLedger(ledger)
        engine = SyncEngine(sync_ledger, TokenStore(path.parent, use_keyring=False), clock=clock)
        client = ApiClient(spec["url"], token=spec["secret"], ca_bundle=spec["ca_bundle"],
                           connect_timeout=spec["timeouts"][0], read_timeout=spec["timeouts"][1],
                           clock=clock.local_time, insecure_http=bool(spec["insecure"]))

        def observe(timed: server_api.Timed) -> None:
            engine._observe_clock(timed)
            if timed.server_time is not None:
                reading[:] = [timed.server_time, timed.sent_at, timed.received_at]

        def progress(step: str, count: int) -> None:
            print(json.dumps({"progress": count}), flush=True)

        threading.Thread(target=watch_stdin, daemon=True).start()
        try:
            OutboxPusher(sync_ledger, call=engine._call, observe_clock=observe, now=clock.now,
                         batch_size=int(spec["batch"]), progress=progress,
                         ).push(server_api.ServerApi(client), cancel, report)
            outcome = "done"
        except Cancelled:
            outcome = "cancelled"
        except Exception as exc:  # the parent pushes the rest and reports the error
            outcome = type(exc).__name__
            log.info("push process stopped", exc_info=True)
        finally:
            client.close()
    finally:
        ledger.close()
    result: dict[str, Any] = {name: getattr(report, name) for name in COUNTERS}
    result.update(outcome=outcome, clock=reading or None)
    print(json.dumps({"result": result}), flush=True)
    return 0

