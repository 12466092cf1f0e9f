"""The ingest benchmark runs end to end (a small count), on both databases."""

from __future__ import annotations

import argparse

import pytest

from merchant_pos.bench import server_ingest
from tests.server.conftest import pg_base_url


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_server_ingest_benchmark_small(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    server_ingest.add_arguments(parser)
    pg = ["--pg-url", pg_base_url()] if db == "postgres" else []
    args = parser.parse_args(["--db", db, "--count", "60", "--batch", "20",
                              "--empty-trips", "5", *pg])
    assert server_ingest.run(args) == 0
    out = capsys.readouterr().out
    assert f"[{db}]" in out
    assert "60 redemptions in" in out and "(60 accepted)" in out
    assert "WARNING" not in out


@pytest.mark.postgres
def test_standalone_ingest_benchmark_small(capsys: pytest.CaptureFixture[str]) -> None:
    """``--standalone``: a serve process, two devices at once, the raw COPY baseline."""
    parser = argparse.ArgumentParser()
    server_ingest.add_arguments(parser)
    args = parser.parse_args(["--standalone", "--pg-url", pg_base_url(), "--count", "40",
                              "--batch", "10", "--devices", "2", "--workers", "1",
                              "--old-ref", "", "--rounds", "1"])
    assert server_ingest.run(args) == 0
    out = capsys.readouterr().out
    assert "2 devices pushing at once" in out and "raw psycopg COPY" in out
    assert "this tree, 1 worker" in out and "WARNING" not in out
