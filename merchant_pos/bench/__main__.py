"""``python -m merchant_pos.bench NAME [options]``: run one benchmark."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import merchant_pos.bench as bench_pkg


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m merchant_pos.bench")
    sub = parser.add_subparsers(dest="name", metavar="NAME", required=True)
    for info in sorted(pkgutil.iter_modules(bench_pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{bench_pkg.__name__}.{info.name}")
        p = sub.add_parser(info.name, help=(module.__doc__ or "").strip().splitlines()[0])
        if hasattr(module, "add_arguments"):
            module.add_arguments(p)
        p.set_defaults(run=module.run)
    args = parser.parse_args(argv)
    status: int = args.run(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
