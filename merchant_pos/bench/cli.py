"""Start-up of the command line: `merchant-pos --help` against `python -c pass`, interleaved."""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Callable

from merchant_pos.bench._stats import time_interleaved

TARGET_MS = 250.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeat", type=int, default=20, help="runs of each command")


def _runner(argv: list[str]) -> Callable[[], object]:
    def run() -> object:
        return subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return run


def run(args: argparse.Namespace) -> int:
    calls = [
        ("python -c pass (baseline)", _runner([sys.executable, "-c", "pass"])),
        ("merchant-pos --help", _runner([sys.executable, "-m", "merchant_pos.cli", "--help"])),
        ("merchant-pos sync --help",
         _runner([sys.executable, "-m", "merchant_pos.cli", "sync", "--help"])),
    ]
    timings = time_interleaved(calls, args.repeat, warmup=2)
    print(f"command-line start-up, {args.repeat} runs each, interleaved")
    for timing in timings:
        print(timing.row(timings[0]))
    help_ms = timings[1].median
    verdict = "met" if help_ms < TARGET_MS else "NOT met"
    print(f"  --help median {help_ms:.0f} ms (target < {TARGET_MS:.0f} ms: {verdict})")
    return 0
