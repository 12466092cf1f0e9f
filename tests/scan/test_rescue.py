"""The rescue of QR symbols located but not read: its passes, its budget in
pixels and its repeat filter, on real frames through the real decoder. Every
count here is of events (passes run, skipped, pixels), none of time."""

from __future__ import annotations

import numpy as np
import pytest
import zxingcpp

from merchant_pos.bench._scan_frames import frame_specs, make_frame
from merchant_pos.scan.decoders import ZxingDecoder, to_gray
from merchant_pos.scan.rescue import (
    MAX_SIDE,
    MODULE_PX,
    Located,
    RescueBudget,
    normalised,
    pass_cost,
    rescue_images,
    symbol_modules,
)
from tests.scan.conftest import on_canvas, qr_gray

# frames of the benchmark's deterministic set where zxing locates the symbol
# but cannot read it in one pass; only 32 (small modules) was rescued by the
# old sharpen-then-enlarge passes, the others have big blurred modules
SMALL_MODULES, BIG_MODULES = (32,), (17, 58, 188)


def _located_not_read(index: int) -> tuple[np.ndarray, str, list[zxingcpp.Barcode]]:
    spec = frame_specs(index + 1)[index]
    assert spec.text is not None
    gray = to_gray(make_frame(spec))
    found = zxingcpp.read_barcodes(
        gray, formats=zxingcpp.BarcodeFormat.QRCode, return_errors=True, try_rotate=False)
    assert found and not any(b.valid for b in found)
    return gray, spec.text, found


def _located(gray: np.ndarray) -> int:
    return len(zxingcpp.read_barcodes(
        gray, formats=zxingcpp.BarcodeFormat.QRCode, return_errors=True, try_rotate=False))


def _unbounded() -> RescueBudget:
    return RescueBudget(share=0.0, burst=1e12)  # counts every pass, refuses none


@pytest.fixture
def damaged(bc1_texts: list[str]) -> np.ndarray:
    """A grey frame with a code whose middle is scribbled over: located, beyond repair."""
    symbol = qr_gray(bc1_texts[0], module_px=4)
    h = symbol.shape[0]
    a, b = int(h * 0.3), int(h * 0.7)
    rng = np.random.default_rng(3)
    symbol[a:b, a:b] = np.where(rng.random((b - a, b - a)) < 0.5, 20, 240).astype(np.uint8)
    return to_gray(on_canvas(symbol))


@pytest.mark.parametrize("index", SMALL_MODULES + BIG_MODULES)
def test_the_rescue_reads_blurred_codes_small_and_big(index: int) -> None:
    gray, text, _ = _located_not_read(index)
    assert ZxingDecoder(rescue=False).decode(gray) == []
    decoder = ZxingDecoder()
    assert decoder.decode(gray) == [text]
    assert decoder.rescued == 1


def test_the_module_size_comes_from_the_located_symbol() -> None:
    spec = frame_specs(18)[17]
    _, _, found = _located_not_read(17)
    located = Located.of(found[0])
    assert located.modules == (65, 65)  # version 12
    assert located.module_px() == pytest.approx(spec.module_px, rel=0.05)


def test_symbol_modules_of_each_qr_kind() -> None:
    assert symbol_modules("1") == (21, 21)
    assert symbol_modules("12") == (65, 65)
    assert symbol_modules("40") == (177, 177)
    assert symbol_modules("M1") == (11, 11)
    assert symbol_modules("M4") == (17, 17)
    assert symbol_modules("R13x43") == (43, 13)
    for unknown in ("", "0", "41", "M5", "x12"):
        assert symbol_modules(unknown) is None


def test_the_crop_is_scaled_to_about_three_pixels_a_module() -> None:
    crop = np.zeros((600, 400), np.uint8)
    image, module = normalised(crop, 6.0)
    assert image.shape == (300, 200) and module == pytest.approx(MODULE_PX)
    image, module = normalised(crop[:150, :100], 1.5)
    assert image.shape == (300, 200) and module == pytest.approx(MODULE_PX)
    same, module = normalised(crop, None)
    assert same is crop and module == MODULE_PX
    capped, module = normalised(np.zeros((800, 800), np.uint8), 1.0)
    assert capped.shape == (MAX_SIDE, MAX_SIDE) and module == pytest.approx(1.25)


def test_the_budget_runs_a_pass_only_when_the_balance_covers_it() -> None:
    budget = RescueBudget(share=0.5, burst=1000)
    assert budget.allows(1000)
    budget.spend(1000)
    assert not budget.allows(1) and budget.skipped == 1
    budget.earn(100)
    assert budget.balance == 50 and not budget.allows(60)
    budget.earn(100)
    assert budget.allows(60)
    budget.earn(10**9)
    assert budget.balance == 1000  # never more than the burst
    assert budget.passes == 1 and budget.skipped == 2


def test_the_budget_bounds_what_rescues_add() -> None:
    budget = RescueBudget(share=0.15, burst=2_000_000)
    frame_px, pass_px, frames = 1280 * 720, 500_000, 1000
    ran = 0
    for _ in range(frames):  # every frame wants two rescue passes
        budget.earn(frame_px)
        for _ in (0, 1):
            if budget.allows(pass_px):
                budget.spend(pass_px)
                ran += 1
    assert budget.spent <= 0.15 * frame_px * frames + 2_000_000
    assert ran > 0.9 * 0.15 * frame_px * frames / pass_px  # and it uses what it has
    assert budget.skipped == 2 * frames - ran == 2 * frames - budget.passes


def test_the_decoder_earns_its_frame_and_pays_each_pass_in_pixels() -> None:
    gray, text, found = _located_not_read(58)  # needs the second, stronger pass
    budget = RescueBudget(share=0.15, burst=1e12)
    decoder = ZxingDecoder(rescue_budget=budget)
    assert decoder.decode(gray) == [text]
    assert budget.earned == pytest.approx(0.15 * gray.shape[0] * gray.shape[1])
    costs = [pass_cost(image) for image in rescue_images(gray, Located.of(found[0]))]
    assert budget.passes == 2 and budget.spent == pytest.approx(sum(costs))


def test_a_budget_for_one_pass_runs_one_pass() -> None:
    gray, _, found = _located_not_read(58)
    first = pass_cost(next(rescue_images(gray, Located.of(found[0]))))
    budget = RescueBudget(share=0.0, burst=first)
    decoder = ZxingDecoder(rescue_budget=budget)
    assert decoder.decode(gray) == []  # the pass that would have read it was refused
    assert budget.passes == 1 and budget.skipped == 1 and decoder.rescued == 0


def test_without_budget_the_rescue_is_skipped_and_with_one_it_reads() -> None:
    gray, text, _ = _located_not_read(32)
    broke = ZxingDecoder(rescue_budget=RescueBudget(share=0.0, burst=0.0))
    assert broke.decode(gray) == [] and broke.rescued == 0
    assert broke.budget is not None and broke.budget.skipped == 1
    funded = ZxingDecoder()
    assert funded.decode(gray) == [text] and funded.rescued == 1
    assert funded.budget is not None and funded.budget.spent > 0
    unbounded = ZxingDecoder(rescue_budget=None)
    assert unbounded.decode(gray) == [text] and unbounded.budget is None


def test_a_region_whose_rescue_failed_is_skipped_every_other_frame(damaged: np.ndarray) -> None:
    located = _located(damaged)
    assert located >= 1
    budget = _unbounded()
    decoder = ZxingDecoder(rescue_budget=budget)
    passes = []
    for _ in range(6):
        assert decoder.decode(damaged) == []
        passes.append(budget.passes)
    per_try = passes[0]
    assert per_try == 2 * located  # both passes on every located symbol
    assert passes == [per_try, per_try, 2 * per_try, 2 * per_try, 3 * per_try, 3 * per_try]
    assert decoder.repeats.skipped == 3 * located


def test_a_frame_without_the_symbol_or_with_it_elsewhere_is_rescued_again(
        damaged: np.ndarray) -> None:
    budget = _unbounded()
    decoder = ZxingDecoder(rescue_budget=budget)
    decoder.decode(damaged)
    per_try = 2 * _located(damaged)
    assert budget.passes == per_try
    decoder.decode(np.full_like(damaged, 128))  # nothing located: the memory is cleared
    decoder.decode(damaged)
    assert budget.passes == 2 * per_try and decoder.repeats.skipped == 0
    moved = np.full_like(damaged, 128)
    moved[120:, 200:] = damaged[:-120, :-200]  # the same damaged code, elsewhere
    decoder.decode(moved)
    assert budget.passes == 2 * per_try + 2 * _located(moved) and decoder.repeats.skipped == 0
