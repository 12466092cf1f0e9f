"""How the user started us, so that a hint names a command that really runs."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

LAUNCHER_ENV = "MPOS_LAUNCHER"  # set by scripts/demo: the command to name in hints


def command(*args: str) -> str:
    """The command line that runs ``merchant-pos ARGS`` the way we were started.

    scripts/demo names itself; otherwise the absolute path of the program
    (``.venv/bin/merchant-pos`` is not on PATH), or ``python -m merchant_pos.cli``.
    """
    launcher = os.environ.get(LAUNCHER_ENV)
    if launcher:
        # scripts/demo runs `merchant-pos demo`: its own arguments follow the subcommand
        return shlex.join([launcher, *args[1:]]) if args[:1] == ("demo",) else \
            shlex.join([launcher, *args])
    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if argv0 is not None and argv0.name != "__main__.py" and argv0.suffix != ".py" \
            and argv0.exists():
        return shlex.join([str(argv0.resolve()), *args])
    return shlex.join([sys.executable, "-m", "merchant_pos.cli", *args])
