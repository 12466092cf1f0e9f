"""Server ingest against standalone servers: N devices pushing at once, 1 and 2 workers.

Each run gets a fresh PostgreSQL schema and its own ``merchant-pos-server serve
--workers W`` process, started from a source tree (this checkout, or today's main
extracted to a temporary folder: ``--old-ref``). Beside the servers, the same rows
go into the same tables by raw psycopg COPY, one transaction per batch, from N
connections at once: the floor any server could reach. The runs are interleaved
round by round, so the machine's other load weighs on every figure alike.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from merchant_pos.server import admin
from merchant_pos.server.database import create_schema, make_engine, temporary_schema

REPO = Path(__file__).resolve().parents[2]
LONG = str(10**6)  # hours: tokens neither expire nor rotate during a run


@dataclass
class Workload:
    """Per device, its pre-encoded push bodies (each device has its own beneficiaries)."""

    bodies: list[list[bytes]]
    items: list[list[list[tuple[dict[str, Any], dict[str, Any]]]]]  # (item, code's facts)
    seed: Callable[[Any, int], None]  # (engine, now): key, program, merchant
    count: int


@dataclass
class Run:
    label: str
    rates: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.rates)


@contextmanager
def old_tree(ref: str) -> Iterator[Path]:
    """``git archive REF`` of this repository in a temporary folder (never committed)."""
    with tempfile.TemporaryDirectory(prefix="mpos-old-") as folder:
        archive = Path(folder) / "old.tar"
        subprocess.run(["git", "-C", str(REPO), "archive", "-o", str(archive), ref],
                       check=True)
        with tarfile.open(archive) as tar:
            tar.extractall(Path(folder) / "tree", filter="data")
        yield Path(folder) / "tree"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(tree: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(tree), "MPOS_TOKEN_TTL_HOURS": LONG,
            "MPOS_TOKEN_ROTATE_HOURS": LONG}


def _server_cli(tree: Path, url: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "merchant_pos.server.cli", "--db", url, *args]


@contextmanager
def _server(tree: Path, url: str, workers: int, log: Path) -> Iterator[str]:
    subprocess.run(_server_cli(tree, url, "init"), env=_env(tree), cwd=tree, check=True,
                   stdout=subprocess.DEVNULL)
    port = _free_port()
    with log.open("ab") as log_file:
        proc = subprocess.Popen(
            _server_cli(tree, url, "serve", "--port", str(port), "--workers", str(workers),
                        "--log-level", "warning"),
            env=_env(tree), cwd=tree, stdout=subprocess.DEVNULL, stderr=log_file,
            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{base}/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def _client(base: str) -> httpx.Client:
    # TCP_NODELAY as urllib3 (the POS's requests) sets it.
    transport = httpx.HTTPTransport(
        socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
    return httpx.Client(base_url=base, timeout=300, transport=transport)


def _concurrently(jobs: list[Callable[[], int]]) -> tuple[float, int]:
    """Run the jobs in threads, started together; (seconds, sum of their results)."""
    barrier = threading.Barrier(len(jobs) + 1)
    results: list[int] = []
    errors: list[BaseException] = []

    def body(job: Callable[[], int]) -> None:
        barrier.wait()
        try:
            results.append(job())
        except BaseException as exc:  # reported below, in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=body, args=(j,)) for j in jobs]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    if errors:
        raise errors[0]
    return elapsed, sum(results)


def server_run(tree: Path, pg_url: str, workers: int, load: Workload, now: int,
               log: Path) -> tuple[float, int]:
    """(redemptions/s, accepted) of one server process tree with ``workers`` workers."""
    with temporary_schema(pg_url, "bench") as url, _server(tree, url, workers, log) as base:
        engine = make_engine(url)
        try:
            load.seed(engine, now)
            codes = [admin.create_enrollment_code(engine, "bench-canteen", hours=1, now=now)
                     for _ in load.bodies]
        finally:
            engine.dispose()
        clients = []
        for n, code in enumerate(codes):
            client = _client(base)
            r = client.post("/v1/devices/enroll", json={"code": code, "name": f"bench-{n}"})
            r.raise_for_status()
            client.headers["Authorization"] = f"Bearer {r.json()['token']}"
            client.headers["Content-Type"] = "application/json"
            clients.append(client)

        def device(client: httpx.Client, bodies: list[bytes]) -> Callable[[], int]:
            def push_all() -> int:
                accepted = 0
                for body in bodies:
                    r = client.post("/v1/redemptions", content=body)
                    r.raise_for_status()
                    accepted += sum(x["status"] == "accepted" for x in r.json()["results"])
                return accepted
            return push_all

        try:
            elapsed, accepted = _concurrently(
                [device(c, b) for c, b in zip(clients, load.bodies, strict=True)])
        finally:
            for c in clients:
                c.close()
    return load.count / elapsed, accepted


def raw_run(pg_url: str, load: Workload, now: int) -> float:
    """The same rows by raw psycopg COPY into the same tables, one commit per batch."""
    import psycopg

    from merchant_pos.bench._raw_rows import device_row_sql, rows_of

    with temporary_schema(pg_url, "bench") as url:
        engine = make_engine(url)
        try:
            create_schema(engine)
            load.seed(engine, now)
            with engine.begin() as conn:
                conn.exec_driver_sql(device_row_sql(now))
        finally:
            engine.dispose()
        dsn = url.replace("postgresql+psycopg://", "postgresql://")
        prepared = [[rows_of(batch) for batch in device] for device in load.items]

        def device(batches: list[dict[str, list[tuple[Any, ...]]]]) -> Callable[[], int]:
            def insert_all() -> int:
                with psycopg.connect(dsn) as conn:
                    for tables in batches:
                        with conn.transaction(), conn.cursor() as cur:
                            for table, (columns, rows) in tables.items():
                                with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as cp:
                                    for row in rows:
                                        cp.write_row(row)
                return 0
            return insert_all

        elapsed, _ = _concurrently([device(b) for b in prepared])  # type: ignore[arg-type]
    return load.count / elapsed


def fsync_setting(pg_url: str) -> str:
    import psycopg

    with psycopg.connect(pg_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        row = conn.execute("SELECT current_setting('fsync'), "
                           "current_setting('synchronous_commit')").fetchone()
    assert row is not None
    return f"fsync={row[0]}, synchronous_commit={row[1]}"


def cores() -> str:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return f"{os.cpu_count()} cores ({usable} usable by this process)"
