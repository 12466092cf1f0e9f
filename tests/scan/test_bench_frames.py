"""The benchmark's frame generator is deterministic and describes its frames truly."""

from __future__ import annotations

import numpy as np

from merchant_pos.bench._scan_frames import bc1_texts, frame_specs, make_frame
from merchant_pos.bench.scan import DEFAULT, RAW, _settings
from merchant_pos.bench.scan import measure as measure_settings
from merchant_pos.domain.cose import PREFIX


def test_the_same_seed_gives_the_same_frames() -> None:
    a, b = frame_specs(12, seed=3), frame_specs(12, seed=3)
    assert a == b
    assert np.array_equal(make_frame(a[5], 3), make_frame(b[5], 3))
    assert frame_specs(12, seed=4) != a
    assert bc1_texts(2) == bc1_texts(2) and all(t.startswith(PREFIX) for t in bc1_texts(2))


def test_the_mix_covers_what_the_issue_lists() -> None:
    specs = frame_specs(120)
    codes = [s for s in specs if s.text is not None]
    assert 10 <= len(specs) - len(codes) <= 40  # frames without a code
    assert {(s.width, s.height) for s in specs} == {(1280, 720), (640, 480)}
    assert all(150 <= s.code_px <= 400 and 0 <= s.tilt_deg <= 25 for s in codes)
    for flag in ("dark_mode", "glare", "low_contrast"):
        assert any(getattr(s, flag) for s in codes), flag
    assert any(s.jpeg_quality for s in codes) and any(s.blur_modules > 0.4 for s in codes)
    assert any(s.easy for s in codes) and not all(s.easy for s in codes)


def test_measure_counts_decodes_per_setting() -> None:
    specs = [s for s in frame_specs(40) if s.easy][:3] + [
        s for s in frame_specs(40) if s.text is None][:1]
    settings = {k: v for k, v in _settings(False).items() if k in (RAW, DEFAULT)}
    tallies = measure_settings(specs, settings, seed=1)
    for t in tallies.values():
        assert t.decoded == {s.index for s in specs if s.text} and t.wrong == 0
        assert len(t.ms) == 4 and len(t.idle_ms) == 1
