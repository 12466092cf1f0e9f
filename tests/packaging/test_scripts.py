"""scripts/bootstrap.sh as scripts/test uses it: the PostgreSQL cluster it starts is
stopped when the run ends; one that was already running is left alone."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.packaging.conftest import ROOT

pytestmark = pytest.mark.postgres

# The part of scripts/test that starts PostgreSQL, then a stand-in for pytest.
SCRIPT = """
set -euo pipefail
. scripts/bootstrap.sh
trap mpos_postgres_stop EXIT
mpos_postgres
pg_isready -q -h 127.0.0.1 -p "$MPOS_PG_PORT" && echo "up during the run"
"""


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_isready"))
    if not found:
        pytest.fail("PostgreSQL is not installed (scripts/bootstrap.sh installs it)")
    return found[-1].parent


def _up(port: int) -> bool:
    return subprocess.run([str(_pg_bin() / "pg_isready"), "-q", "-h", "127.0.0.1", "-p",
                           str(port)], check=False).returncode == 0


def _run(port: int) -> subprocess.CompletedProcess[str]:
    env = {"PATH": f"{_pg_bin()}:/usr/sbin:/usr/bin:/sbin:/bin", "MPOS_PG_PORT": str(port),
           "HOME": "/tmp"}
    return subprocess.run(["bash", "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_cluster_a_run_started_is_stopped_at_its_end() -> None:
    port = _free_port()  # not a fixed one: another checkout's run may hold it
    assert not _up(port)
    out = _run(port)
    assert out.returncode == 0, out.stderr
    assert "up during the run" in out.stdout
    assert not _up(port)
    shutil.rmtree(f"/tmp/mpos-pg-{port}", ignore_errors=True)


def test_a_cluster_already_running_is_left_running() -> None:
    port = 55992  # a cluster of this test's own, started by hand before the run
    assert not _up(port)
    data = Path(tempfile.mkdtemp(prefix="mpos-pg-test-"))  # pytest's tmp is root-only
    shutil.chown(data, "postgres")
    as_pg = ["runuser", "-u", "postgres", "--"]
    subprocess.run([*as_pg, str(_pg_bin() / "initdb"), "-D", str(data / "data"), "-U",
                    "postgres", "--auth=trust"], check=True, capture_output=True)
    ctl = [*as_pg, str(_pg_bin() / "pg_ctl"), "-s", "-D", str(data / "data"), "-w"]
    subprocess.run([*ctl, "-l", str(data / "log"), "-o",
                    f"-h 127.0.0.1 -p {port} -k {data}", "start"], check=True)
    try:
        out = _run(port)
        assert out.returncode == 0, out.stderr
        assert "up during the run" in out.stdout
        assert _up(port)
        assert not Path(f"/tmp/mpos-pg-{port}").exists()  # nothing made beside it
    finally:
        subprocess.run([*ctl, "-m", "fast", "stop"], check=False)
        shutil.rmtree(data, ignore_errors=True)
