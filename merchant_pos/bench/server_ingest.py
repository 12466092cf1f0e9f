"""Server ingest: 10,000 redemptions pushed in batches of 200 over loopback HTTP.

Runs the real embedded server (uvicorn in a thread) on a fresh SQLite file
and on a fresh PostgreSQL schema, and reports redemptions per second and the
batch latency beside the bare round trip of an empty push in the same run.

    python -m merchant_pos.bench server_ingest [--db sqlite|postgres|both]
        [--pg-url URL] [--count 10000] [--batch 200]

With ``--standalone`` it runs ``serve --workers W`` processes on PostgreSQL
instead, ``--devices N`` pushing at once, for each W of ``--workers`` (1,2),
this tree and today's main (``--old-ref main``, extracted to a temporary
folder) side by side, plus a raw psycopg COPY of the same rows, interleaved
over ``--rounds`` rounds; it reports medians, the 1 -> 2 worker ratio and the
core count (see ``_ingest_standalone``).

PostgreSQL comes from --pg-url or $MPOS_TEST_PG_URL
(``source scripts/bootstrap.sh && mpos_postgres`` starts one).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import socket
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from merchant_pos.bench._stats import Timing, time_calls
from merchant_pos.domain.claims import Claims, Entitlement, Period, Unit
from merchant_pos.domain.cose import ALG_EDDSA
from merchant_pos.domain.issuing import IssuerKey, issue_code
from merchant_pos.domain.quote import CartLine, quote
from merchant_pos.server import admin
from merchant_pos.server.database import temporary_schema
from merchant_pos.server.embedded import EmbeddedServer

NOW = 1_770_692_400  # 2026-02-10 11:00 Asia/Shanghai
DAY = 86_400
PROGRAM = "bench-meals"
ENTS = (Entitlement("meal", ("meal",), Unit.COUNT, 1, Period.DAY, val=1000),
        Entitlement("fruit", ("meal", "fruit"), Unit.FEN, 2000, Period.WEEK))
# --yearly: a yearly allowance beside them, drawn by every meal (the judge's history
# then reaches back to the new year: a long history is hundreds of draws)
YEARLY = Entitlement("year", ("meal",), Unit.FEN, 10**9, Period.YEAR)
PER_BENEFICIARY = 5  # one meal a day on five days: realistic, no conflicts


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg-url", default=os.environ.get("MPOS_TEST_PG_URL"))
    parser.add_argument("--count", type=int, default=10_000, help="redemptions to push")
    parser.add_argument("--batch", type=int, default=200, help="redemptions per push")
    parser.add_argument("--per-beneficiary", type=int, default=PER_BENEFICIARY,
                        help="redemptions per beneficiary, one a day (a long history: 100+)")
    parser.add_argument("--empty-trips", type=int, default=300,
                        help="empty pushes timed for the baseline")
    parser.add_argument("--standalone", action="store_true",
                        help="serve --workers processes on PostgreSQL, concurrent devices")
    parser.add_argument("--devices", type=int, default=4, help="devices pushing at once")
    parser.add_argument("--workers", default="1,2", help="worker counts to run")
    parser.add_argument("--old-ref", default="main",
                        help="git ref of today's code to run beside this tree ('' for none)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--yearly", action="store_true",
                        help="codes with a yearly allowance too, drawn by every meal")
    parser.add_argument("--forward", action="store_true",
                        help="push the oldest days first (default: the newest first, so "
                             "every push is a late arrival re-judging the later days)")


def workload_ents(args: argparse.Namespace) -> tuple[Entitlement, ...]:
    return (*ENTS, YEARLY) if getattr(args, "yearly", False) else ENTS


def run(args: argparse.Namespace) -> int:
    if args.standalone:
        from merchant_pos.bench._ingest_report import run_standalone

        return run_standalone(args)
    targets = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if "postgres" in targets and not args.pg_url:
        print("PostgreSQL: no --pg-url and no $MPOS_TEST_PG_URL "
              "(source scripts/bootstrap.sh && mpos_postgres)")
        return 2
    ents = workload_ents(args)
    batches = _make_batches(args.count, args.batch, args.per_beneficiary, ents=ents,
                            forward=args.forward)
    print(f"server ingest: {args.count} redemptions in batches of {args.batch} "
          f"over loopback HTTP ({len(batches)} pushes; {args.per_beneficiary} per "
          f"beneficiary, {'oldest' if args.forward else 'newest'} first"
          f"{', yearly allowance' if args.yearly else ''})")
    for target in targets:
        with _database(target, args.pg_url) as url:
            _bench_one(target, url, batches, args.empty_trips, ents)
    return 0


def _make_batches(count: int, size: int, per_beneficiary: int = PER_BENEFICIARY, *,
                  ents: tuple[Entitlement, ...] = ENTS, forward: bool = False) -> list[bytes]:
    """Pre-encoded push bodies: real signed codes, quoted carts, one meal a day each."""
    items = [item for item, _meta, _b in make_items(count, per_beneficiary, NOW, ents=ents,
                                                    forward=forward)]
    return [json.dumps({"items": items[i:i + size]}).encode() for i in range(0, count, size)]


def make_items(count: int, per_beneficiary: int, now: int, *,
               ents: tuple[Entitlement, ...] = ENTS, forward: bool = False
               ) -> list[tuple[dict[str, Any], dict[str, Any], int]]:
    """(push item, what its code says, beneficiary number): one meal a day each, the
    newest day first (``forward``: the oldest first)."""
    key = _key(now)
    n_beneficiaries = max(1, -(-count // per_beneficiary))
    issued = now - (per_beneficiary + 30) * DAY
    claims = [Claims(
        iss="bench", sub=f"B-{i:06d}", exp=now + 60 * DAY, iat=issued, cti=os.urandom(12),
        prg=PROGRAM, nm="王*英", tz="Asia/Shanghai", ent=ents) for i in range(n_beneficiaries)]
    codes = [issue_code(key, c) for c in claims]
    facts = {e.id: e for e in ents}
    days = -(-count // n_beneficiaries)
    items = []
    for n in range(count):
        b = n % n_beneficiaries
        day = n // n_beneficiaries
        day = days - 1 - day if forward else day
        at = now - day * DAY - (n % 3600)
        cart = [CartLine("meal", 1200, 1)]
        q = quote(claims[b], at, cart).to_json()
        line = q["lines"][0]
        meta = {"iss": "bench", "sub": claims[b].sub, "prg": PROGRAM,
                "cti": claims[b].cti.hex(), "tz": "Asia/Shanghai", "day": local_day(at),
                "unit": {k: e.unit.value for k, e in facts.items()},
                "lim": {k: e.lim for k, e in facts.items()},
                "per": {k: e.per.value for k, e in facts.items()},
                "once": {k: e.once for k, e in facts.items()}}
        items.append(({"type": "redemption", "uuid": str(uuid.uuid4()), "code": codes[b],
                       "at": at, "lines": [{"cat": "meal", "amount": 1200, "qty": 1,
                                            "covered": line["covered"], "draws": line["draws"],
                                            "units": line["units"]}],
                       "covered": q["covered"]}, meta, b))
    return items


def local_day(at: int) -> str:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.fromtimestamp(at, ZoneInfo("Asia/Shanghai")).date().isoformat()


_KEYS: dict[int, IssuerKey] = {}


def _key(now: int = NOW) -> IssuerKey:
    if now not in _KEYS:
        _KEYS[now] = IssuerKey.generate(ALG_EDDSA, "bench", now - 800 * DAY, now + 400 * DAY)
    return _KEYS[now]


def seed(engine: Any, now: int, ents: tuple[Entitlement, ...] = ENTS) -> None:
    """The bench's issuer key, program and merchant (its throwaway schema's key is
    wrapped with a throwaway KEK unless one is set)."""
    if not os.environ.get("MPOS_SERVER_KEK") and not os.environ.get("MPOS_SERVER_KEK_FILE"):
        os.environ["MPOS_SERVER_KEK"] = base64.urlsafe_b64encode(os.urandom(32)).decode()
    admin.create_key(engine, iss="bench", key=_key(now), now=now)
    admin.create_program(engine, id=PROGRAM, name_zh="助餐", name_en="Meals",
                         tz="Asia/Shanghai", iss="bench",
                         cats=[admin.Category("meal", "餐食", "Meal"),
                               admin.Category("fruit", "水果", "Fruit")],
                         entitlements=ents, code_valid_days=60, now=now)
    admin.create_merchant(engine, id="bench-canteen", name="食堂", kind="canteen",
                          program_ids=[PROGRAM], now=now)


@contextmanager
def _database(target: str, pg_url: str | None) -> Iterator[str]:
    if target == "sqlite":
        with tempfile.TemporaryDirectory(prefix="mpos-bench-") as folder:
            yield f"sqlite:///{Path(folder) / 'server.sqlite3'}"
        return
    assert pg_url is not None
    with temporary_schema(pg_url, "bench") as url:
        yield url


def _bench_one(target: str, url: str, batches: list[bytes], empty_trips: int,
               ents: tuple[Entitlement, ...] = ENTS) -> None:
    server = EmbeddedServer(url, clock=lambda: float(NOW))
    base_url = server.start()
    try:
        engine = server.engine
        assert engine is not None
        seed(engine, NOW, ents)
        code = admin.create_enrollment_code(engine, "bench-canteen", hours=1, now=NOW)
        # TCP_NODELAY as urllib3 (the POS's requests) sets it: without it, a body sent
        # after its headers waits for a delayed ACK (~40 ms) on loopback.
        transport = httpx.HTTPTransport(
            socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
        with httpx.Client(base_url=base_url, timeout=120, transport=transport) as client:
            token = client.post("/v1/devices/enroll",
                                json={"code": code, "name": "bench"}).json()["token"]
            client.headers["Authorization"] = f"Bearer {token}"
            client.headers["Content-Type"] = "application/json"
            empty = b'{"items": []}'
            baseline = time_calls("empty push (auth, parse, respond)",
                                  lambda: _post(client, empty), repeat=empty_trips)
            samples = []
            accepted = 0
            started = time.perf_counter()
            for body in batches:
                t0 = time.perf_counter()
                results = _post(client, body)
                samples.append((time.perf_counter() - t0) * 1000.0)
                accepted += sum(r["status"] == "accepted" for r in results)
            elapsed = time.perf_counter() - started
        count = sum(len(json.loads(b)["items"]) for b in batches)
        timing = Timing(f"batch of {len(json.loads(batches[0])['items'])} redemptions", samples)
        print(f"\n[{target}]")
        print("  " + baseline.row())
        print("  " + timing.row(baseline))
        print(f"  {count} redemptions in {elapsed:.2f} s: {count / elapsed:,.0f} redemptions/s "
              f"({accepted} accepted); batch p95 {timing.p95:.1f} ms = "
              f"{timing.p95 / baseline.p95:.0f}x the empty round trip p95")
        if accepted != count:
            print(f"  WARNING: {count - accepted} redemptions were not accepted")
    finally:
        server.stop()


def _post(client: httpx.Client, body: bytes) -> list[dict[str, object]]:
    r = client.post("/v1/redemptions", content=body)
    r.raise_for_status()
    results: list[dict[str, object]] = r.json()["results"]
    return results
