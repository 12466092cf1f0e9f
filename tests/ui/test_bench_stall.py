"""The stall benchmark runs end to end on a small backlog, both ways of pushing."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from merchant_pos.bench import counter_stall


def test_the_stall_bench_syncs_the_backlog_in_process_and_from_a_child(qtbot: QtBot) -> None:
    lines = counter_stall.measure(count=12, phase_seconds=0.2, rounds=1, video_frames=3)
    text = "\n".join(lines)
    assert text.count("sync of 12 queued redemptions (12 pushed)") == 2, text
    assert "push in the window's process" in text and "push from a child process" in text
    for phase in ("idle window", "camera", "camera + sync", "idle window again"):
        assert text.count(f"  {phase} ") >= 2, phase
    assert text.count("longest stall during camera + sync") == 2
