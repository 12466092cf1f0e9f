"""Small timing helpers shared by the benchmarks."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    label: str
    samples_ms: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    def row(self, baseline: Timing | None = None) -> str:
        ratio = f"  {self.median / baseline.median:5.2f}x" if baseline else ""
        return f"{self.label:<44} median {self.median:8.3f} ms  p95 {self.p95:8.3f} ms{ratio}"


def time_calls(label: str, fn: Callable[[], object], repeat: int, warmup: int = 20) -> Timing:
    for _ in range(warmup):
        fn()
    samples = []
    clock = time.perf_counter
    for _ in range(repeat):
        t0 = clock()
        fn()
        samples.append((clock() - t0) * 1000.0)
    return Timing(label, samples)


def time_interleaved(calls: Sequence[tuple[str, Callable[[], object]]], repeat: int,
                     warmup: int = 20) -> list[Timing]:
    """Time several calls round-robin (one of each per round), so that whatever else the
    machine does at a moment weighs on every figure alike; ratios between them hold."""
    for _ in range(warmup):
        for _label, fn in calls:
            fn()
    samples: list[list[float]] = [[] for _ in calls]
    clock = time.perf_counter
    for _ in range(repeat):
        for (_label, fn), bucket in zip(calls, samples, strict=True):
            t0 = clock()
            fn()
            bucket.append((clock() - t0) * 1000.0)
    return [Timing(label, bucket) for (label, _fn), bucket in zip(calls, samples, strict=True)]
