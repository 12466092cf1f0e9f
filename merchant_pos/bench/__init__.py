"""Benchmarks: ``python -m merchant_pos.bench NAME``.

Each module here exposes ``add_arguments(parser)`` (optional) and
``run(args) -> int``. Every benchmark reports figures beside a baseline
measured in the same run; none is a pass/fail test.
"""
