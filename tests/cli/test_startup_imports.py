"""`merchant-pos --help` and every `merchant-pos CMD --help` load no database, network, Qt
or camera library: the command line starts fast (bench: `python -m merchant_pos.bench cli`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "alembic", "requests", "PySide6", "cv2", "numpy", "fastapi",
         "uvicorn", "psycopg", "zxingcpp", "cryptography", "cbor2", "keyring")

_PROBE = """
import contextlib, io, json, sys
import merchant_pos.cli as cli
parser = cli.build_parser()
commands = sorted(parser._subparsers._group_actions[0].choices)
loaded = {}
for argv in [["--help"]] + [[name, "--help"] for name in commands]:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        cli.main(argv)
    loaded[" ".join(argv)] = sorted(m for m in %r if m in sys.modules)
print(json.dumps({"commands": commands, "loaded": loaded}))
"""


def test_help_imports_nothing_heavy() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", _PROBE % (HEAVY,)], capture_output=True,
                         text=True, env=env, check=True, timeout=120)
    result = json.loads(out.stdout)
    assert "sync" in result["commands"] and "demo" in result["commands"]
    assert {argv: mods for argv, mods in result["loaded"].items() if mods} == {}
