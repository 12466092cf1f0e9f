"""kill -9 at random moments: real child processes, a real file, checked after every kill."""

from __future__ import annotations

from pathlib import Path

import pytest

from merchant_pos.store import crashtest


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_and_doubles_nothing(tmp_path: Path) -> None:
    report = crashtest.run(tmp_path / "crash", 220, seed=20261129, check_every=55)
    print(report.summary())
    assert report.problems == []
    assert report.kills == 220
    assert report.full_checks == 4
    # The kills really landed in every phase, and in-doubt ids were re-submitted. Counted
    # as events, not as a number of redemptions a fast machine gets through: every tenth
    # round holds its worker right before a redemption and every tenth right after a
    # commit (and is killed there), so both in-doubt cases happen on any machine.
    holds = 220 // crashtest.HOLD_EVERY
    assert report.in_flight_absent >= holds and report.in_flight_present >= holds
    assert report.resubmitted_already_recorded >= holds
    assert report.resubmitted_recorded_now >= holds
    assert report.killed_between + report.killed_starting + report.killed_resubmitting > 0
    assert report.redemptions_in_file >= report.reported_committed > 0


@pytest.mark.parametrize("sabotage", ["report_early", "drop_outbox"])
def test_the_harness_catches_a_broken_worker(tmp_path: Path, sabotage: str) -> None:
    """A worker that reports before committing, or splits its writes, must be caught."""
    report = crashtest.run(tmp_path / sabotage, 25, seed=7, check_every=25, sabotage=sabotage)
    assert report.problems, report.summary()
