"""``server_ingest --standalone``: the interleaved rounds and the report table."""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import tempfile
from pathlib import Path

from merchant_pos.bench import _ingest_standalone as sa
from merchant_pos.bench import server_ingest


def _workload(args: argparse.Namespace, now: int) -> sa.Workload:
    ents = server_ingest.workload_ents(args)
    items = server_ingest.make_items(args.count, args.per_beneficiary, now, ents=ents,
                                     forward=args.forward)
    per_device: list[list[tuple[dict[str, object], dict[str, object]]]] = [
        [] for _ in range(args.devices)]
    for item, meta, b in items:  # each device (canteen) serves its own beneficiaries
        per_device[b % args.devices].append((item, meta))
    batches = [[d[i:i + args.batch] for i in range(0, len(d), args.batch)] for d in per_device]
    bodies = [[json.dumps({"items": [item for item, _ in batch]}).encode() for batch in device]
              for device in batches]
    return sa.Workload(bodies, batches, functools.partial(server_ingest.seed, ents=ents),
                       len(items))


def run_standalone(args: argparse.Namespace) -> int:
    import time

    if not args.pg_url:
        print("--standalone needs --pg-url or $MPOS_TEST_PG_URL")
        return 2
    workers = [int(w) for w in args.workers.split(",")]
    with contextlib.ExitStack() as stack:
        trees = {"this tree": sa.REPO}
        if args.old_ref:
            trees[f"today's {args.old_ref}"] = stack.enter_context(sa.old_tree(args.old_ref))
        logdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mpos-bench-")))
        print(f"server ingest, standalone: {args.count} redemptions, {args.devices} devices "
              f"pushing at once, batches of {args.batch}, {args.per_beneficiary} per "
              f"beneficiary; PostgreSQL {sa.fsync_setting(args.pg_url)}; {sa.cores()} shared "
              "by PostgreSQL, the servers and the clients")
        runs: dict[str, sa.Run] = {"raw psycopg COPY": sa.Run("raw psycopg COPY")}
        for w in workers:
            for name in trees:
                label = f"{name}, {w} worker{'s' if w > 1 else ''}"
                runs[label] = sa.Run(label)
        for r in range(args.rounds):
            now = int(time.time())
            load = _workload(args, now)
            runs["raw psycopg COPY"].rates.append(sa.raw_run(args.pg_url, load, now))
            for w in workers:
                for name, tree in trees.items():
                    label = f"{name}, {w} worker{'s' if w > 1 else ''}"
                    rate, accepted = sa.server_run(tree, args.pg_url, w, load, now,
                                                   logdir / f"{r}-{w}-{len(label)}.log")
                    if accepted != load.count:
                        print(f"  WARNING: {label}: {load.count - accepted} not accepted")
                    runs[label].rates.append(rate)
            print(f"  round {r + 1}: " + ", ".join(
                f"{run.label} {run.rates[-1]:,.0f}/s" for run in runs.values()))
        _table(runs, trees, workers)
    return 0


def _table(runs: dict[str, sa.Run], trees: dict[str, Path], workers: list[int]) -> None:
    raw = runs["raw psycopg COPY"].median
    names = list(trees)
    print(f"\n{'run (median of rounds)':<36} {'redemptions/s':>14} {'/ raw COPY':>10}"
          + (f" {'/ today':>8}" if len(names) > 1 else ""))
    for label, run in runs.items():
        line = f"{label:<36} {run.median:>14,.0f} {run.median / raw:>9.3f}x"
        if len(names) > 1 and label.startswith(names[0]):
            old = runs[label.replace(names[0], names[1], 1)].median
            line += f" {run.median / old:>7.2f}x"
        print(line)
    if len(workers) > 1:
        for name in names:
            one, two = (runs[f"{name}, {w} worker{'s' if w > 1 else ''}"].median
                        for w in workers[:2])
            print(f"  {name}: {workers[0]} -> {workers[1]} workers {two / one:.2f}x")
