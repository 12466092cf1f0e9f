"""``python -m merchant_pos.bench NAME [options]``: run one benchmark.

Only the chosen benchmark's module is imported, so one benchmark's heavy
dependencies never slow down or break another.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import merchant_pos.bench as bench_pkg


def available() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(bench_pkg.__path__)
                  if not m.name.startswith("_"))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    names = available()
    if not argv or argv[0] not in names:
        print(f"usage: python -m merchant_pos.bench NAME [options]\nNAME: {', '.join(names)}",
              file=sys.stderr)
        return 1
    name = argv.pop(0)
    module = importlib.import_module(f"{bench_pkg.__name__}.{name}")
    parser = argparse.ArgumentParser(prog=f"python -m merchant_pos.bench {name}",
                                     description=(module.__doc__ or "").strip())
    if hasattr(module, "add_arguments"):
        module.add_arguments(parser)
    status: int = module.run(parser.parse_args(argv))
    return status


if __name__ == "__main__":
    sys.exit(main())
