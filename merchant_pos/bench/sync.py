"""Sync: N queued redemptions pushed by the sync engine to the embedded server, beside
the server's own ingest rate (the same items POSTed by a bare HTTP client), with RSS.

Fresh embedded servers (each in its own child process, on its own SQLite file) with the
same issuer key and set-up: two take the same
push bodies from a minimal ``http.client`` loop, one before and one after the
engine's run (the server's ingest time: its work plus one loopback round trip per
batch, no client bookkeeping); the third is the POS's own server, synced by the
real engine from the real ledger outbox.
The client's overhead is the engine's push time over the bare ingest time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from merchant_pos.domain.claims import Claims, Entitlement, Period, Unit
from merchant_pos.domain.cose import ALG_EDDSA
from merchant_pos.domain.issuing import IssuerKey, issue_code
from merchant_pos.domain.quote import CartLine

DAY = 86_400
ISS = "bench-foundation"
PROGRAM = "bench-food"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--count", type=int, default=10_000, help="queued redemptions")
    parser.add_argument("--batch", type=int, default=200, help="redemptions per push")
    parser.add_argument("--beneficiaries", type=int, default=2000,
                        help="distinct codes the redemptions cycle through")
    parser.add_argument("--serve-db", help=argparse.SUPPRESS)  # internal: the server child


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    import resource
    return pages * resource.getpagesize() / 2**20


class RssSampler:
    """Samples this process's RSS every 20 ms (Linux /proc)."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.samples.append(rss_mib())

    def __enter__(self) -> RssSampler:
        self.samples.append(rss_mib())
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append(rss_mib())


class ServerProcess:
    """The embedded server in a child process (so this process's RSS is the POS's alone
    and the server has its own interpreter), on a SQLite file set up here first."""

    def __init__(self, directory: Path, key: IssuerKey, now: int) -> None:
        from merchant_pos.server import admin
        from merchant_pos.server.database import create_schema, make_engine
        directory.mkdir(parents=True)
        self.db_url = f"sqlite:///{directory / 'server.sqlite3'}"
        self.engine = make_engine(self.db_url)
        create_schema(self.engine)
        admin.create_key(self.engine, iss=ISS, now=now, key=key)
        admin.create_program(
            self.engine, id=PROGRAM, name_zh="食品补贴", name_en="Food aid",
            tz="Asia/Shanghai", iss=ISS, cats=[admin.Category("food", "食品", "Food")],
            entitlements=[Entitlement("food", ("food",), Unit.FEN, 10**10, Period.TOTAL)],
            code_valid_days=30, now=now)
        admin.create_merchant(self.engine, id="M-BENCH", name="基准商店", kind="canteen",
                              program_ids=[PROGRAM], max_unsynced_covered=10**12, now=now)
        self.child = subprocess.Popen(
            [sys.executable, "-m", "merchant_pos.bench", "sync", "--serve-db", self.db_url],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.child.stdout is not None
        self.port = int(self.child.stdout.readline())
        self.base_url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        assert self.child.stdin is not None
        self.child.stdin.close()
        self.child.wait(30)
        if self.child.stdout is not None:
            self.child.stdout.close()
        self.engine.dispose()


def serve_until_stdin_closes(db_url: str) -> int:
    from merchant_pos.server.embedded import EmbeddedServer
    server = EmbeddedServer(db_url, init_schema=False)
    server.start()
    print(server.port, flush=True)
    sys.stdin.read()
    server.stop()
    return 0


def _enroll_raw(port: int, code: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/v1/devices/enroll", json.dumps({"code": code, "name": "bare"}),
                 {"Content-Type": "application/json"})
    token: str = json.loads(conn.getresponse().read())["token"]
    conn.close()
    return token


def _bare_ingest(port: int, token: str, bodies: list[bytes]) -> list[float]:
    """POST every body on one keep-alive connection; seconds per batch."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    seconds = []
    for body in bodies:
        t0 = time.perf_counter()
        conn.request("POST", "/v1/redemptions", body, headers)
        response = conn.getresponse()
        answer = response.read()
        seconds.append(time.perf_counter() - t0)
        if response.status != 200:
            raise RuntimeError(f"bare ingest got {response.status}: {answer[:200]!r}")
    conn.close()
    return seconds


def _timed_bare(server: Any, bodies: list[bytes], now: int) -> tuple[float, list[float]]:
    from merchant_pos.server import admin
    token = _enroll_raw(server.port, admin.create_enrollment_code(
        server.engine, "M-BENCH", hours=1, now=now))
    t0 = time.perf_counter()
    batch_seconds = _bare_ingest(server.port, token, bodies)
    return time.perf_counter() - t0, batch_seconds


def queue_redemptions(ledger: Any, key: IssuerKey, now: int, count: int,
                      beneficiaries: int) -> float:
    """``count`` redemptions through the real ``RedemptionService.redeem``, cycling through
    ``beneficiaries`` codes of the bench program (a supervisor "bench", PIN 2468, is
    created); returns the seconds it took."""
    from merchant_pos.store import OperatorRegistry, PinHasher, RedemptionService

    operators = OperatorRegistry(ledger, hasher=PinHasher(n=2**8))
    operators.create_first_supervisor("bench", "2468")
    cashier = operators.sign_in("bench", "2468")
    service = RedemptionService(ledger, operators)
    codes = [issue_code(key, Claims(ISS, f"B-{i:05d}", now + 30 * DAY, now - DAY,
                                    uuid.uuid4().bytes[:12], PROGRAM, "王*",
                                    "Asia/Shanghai",
                                    (Entitlement("food", ("food",), Unit.FEN, 10**10,
                                                 Period.TOTAL),)))
             for i in range(beneficiaries)]
    t0 = time.perf_counter()
    for i in range(count):
        service.redeem(str(uuid.uuid4()), codes[i % len(codes)],
                       [CartLine("food", 100 + i % 900)], cashier)
    return time.perf_counter() - t0


def run(args: argparse.Namespace) -> int:
    if args.serve_db:
        return serve_until_stdin_closes(args.serve_db)
    from merchant_pos.server import admin
    from merchant_pos.store import Ledger
    from merchant_pos.sync.clock import CorrectedClock
    from merchant_pos.sync.engine import SyncEngine
    from merchant_pos.sync.enrollment import enroll_device
    from merchant_pos.sync.ledger_port import SyncLedger
    from merchant_pos.sync.push_items import push_item
    from merchant_pos.sync.token_store import TokenStore

    now = int(time.time())
    key = IssuerKey.generate(ALG_EDDSA, ISS, now - DAY, now + 400 * DAY)
    with tempfile.TemporaryDirectory(prefix="mpos-bench-sync-") as tmp_name:
        tmp = Path(tmp_name)
        pos_server = ServerProcess(tmp / "pos-server", key, now)
        bare_server = ServerProcess(tmp / "bare-server", key, now)
        bare_server_2 = ServerProcess(tmp / "bare-server-2", key, now)
        try:
            clock = CorrectedClock()
            ledger = Ledger.open(tmp / "pos", clock=clock.now)
            sync_ledger = SyncLedger(ledger)
            tokens = TokenStore(tmp / "pos", use_keyring=False)
            engine = SyncEngine(sync_ledger, tokens, clock=clock, batch_size=args.batch)
            enroll_device(sync_ledger, tokens, pos_server.base_url,
                          admin.create_enrollment_code(pos_server.engine, "M-BENCH",
                                                       hours=1, now=now), "bench", clock=clock)
            if not engine.sync_now().ok:
                raise RuntimeError("the first sync failed")
            fill_s = queue_redemptions(ledger, key, now, args.count, args.beneficiaries)
            print(f"queued {args.count} redemptions through RedemptionService.redeem in "
                  f"{fill_s:.1f} s (set-up, not timed below)")

            # the same items, as the engine will send them, to the bare server
            bodies, after = [], 0
            while True:
                entries = sync_ledger.pending_outbox(after, args.batch)
                if not entries:
                    break
                bodies.append(json.dumps({"items": [push_item(e.payload) for e in entries]},
                                         separators=(",", ":")).encode())
                after = entries[-1].seq
            # bare ingest on a fresh server before and after the engine's run (the
            # machine is shared: bracketing evens out drift in the background load)
            bare_before = _timed_bare(bare_server, bodies, now)
            marks: list[tuple[int, float, float]] = []

            def progress(step: str, count: int) -> None:
                if step == "push":
                    marks.append((count, time.perf_counter(), rss_mib()))

            engine.on_progress = progress
            t0 = time.perf_counter()
            with RssSampler() as rss:
                report = engine.sync_now()
            total_s = time.perf_counter() - t0
            if not report.ok or report.pushed != args.count:
                raise RuntimeError(f"sync failed: {report.message('en')}")
            bare_after = _timed_bare(bare_server_2, bodies, now)
            del bodies
            push_s = marks[-1][1] - marks[0][1]
            bare_s = (bare_before[0] + bare_after[0]) / 2
            batch_seconds = bare_before[1] + bare_after[1]
            ordered = sorted(batch_seconds)
            p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
            client_work = total_s - report.http_seconds
            print(f"server ingest, bare http.client: {bare_s:7.2f} s  "
                  f"{args.count / bare_s:8.0f} redemptions/s  p95 batch {p95 * 1000:.0f} ms "
                  f"(mean of a run before, {bare_before[0]:.2f} s, and after, "
                  f"{bare_after[0]:.2f} s, the engine's; batches of {args.batch})")
            print(f"sync engine, push phase:         {push_s:7.2f} s  "
                  f"{args.count / push_s:8.0f} redemptions/s  "
                  f"{push_s / bare_s:5.2f}x the bare ingest "
                  f"(client overhead {100 * (push_s / bare_s - 1):+.0f}%, target <= +25%)")
            print(f"sync engine, whole sync_now:     {total_s:7.2f} s  "
                  f"{args.count / total_s:8.0f} redemptions/s  ({report.http_calls} HTTP calls: "
                  f"{report.http_seconds:.2f} s inside them; outside them (client work not hidden "
                  f"behind the network) {client_work:.2f} s = "
                  f"{100 * client_work / bare_s:.0f}% of the bare ingest)")
            step = max(1, len(marks) // 5)
            trail = ", ".join(f"{c}: {r:.0f}" for c, _, r in marks[::step])
            print(f"RSS MiB of the POS process: before {rss.samples[0]:.0f}, "
                  f"peak {max(rss.samples):.0f}, after {rss.samples[-1]:.0f}; "
                  f"by redemptions pushed: {trail}")
            ledger.close()
        finally:
            pos_server.stop()
            bare_server.stop()
            bare_server_2.stop()
    return 0
