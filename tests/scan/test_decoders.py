"""The decoders on real QR images: BC1 codes, dark mode, blur, bad input."""

from __future__ import annotations

import sys

import cv2
import numpy as np
import pytest
import zxingcpp

from merchant_pos.bench._scan_frames import FrameSpec, frame_specs, make_frame
from merchant_pos.scan.decoders import (
    PYZBAR,
    ZXING,
    Decoder,
    FramePipeline,
    GuardedDecoder,
    PyzbarDecoder,
    ZxingDecoder,
    available_decoders,
    downscale,
    make_decoder,
    to_gray,
)
from merchant_pos.scan.messages import ScanMessage
from merchant_pos.scan.messages import message as scan_message
from tests.scan.conftest import on_canvas, qr_gray


@pytest.mark.parametrize("name", [ZXING, PYZBAR])
def test_each_decoder_reads_a_bc1_code_in_a_frame(name: str, bc1_texts: list[str]) -> None:
    decoder, note = make_decoder(name)
    assert note is None and decoder.name == name
    frame = on_canvas(qr_gray(bc1_texts[0], module_px=4))
    assert FramePipeline(decoder)(frame) == [bc1_texts[0]]


@pytest.fixture(params=[ZXING, PYZBAR])
def decoder(request: pytest.FixtureRequest) -> Decoder:
    """A new decoder for each test: the zxing one keeps state from frame to frame
    (its rescue budget, the regions whose rescue just failed), which must not
    carry from one test into another whatever order they run in."""
    return ZxingDecoder() if request.param == ZXING else PyzbarDecoder()


def test_light_on_dark_codes_from_dark_mode_phones(decoder: Decoder, bc1_texts: list[str]) -> None:
    frame = on_canvas(qr_gray(bc1_texts[1], module_px=4, dark_mode=True), background=30)
    assert FramePipeline(decoder)(frame) == [bc1_texts[1]]


@pytest.mark.parametrize("turn", [1, 2])
def test_each_test_gets_a_decoder_of_its_own(decoder: Decoder, turn: int) -> None:
    # what a previous test leaves in a shared zxing decoder: a rescue and spent budget
    assert getattr(decoder, "rescued", 0) == 0
    budget = getattr(decoder, "budget", None)
    assert budget is None or (budget.passes == 0 and budget.balance == budget.burst)
    spec = frame_specs(33)[32]  # located, read only by the rescue
    assert decoder.decode(to_gray(make_frame(spec))) in ([spec.text], [])


def test_pyzbar_without_its_invert_retry_misses_dark_mode(bc1_texts: list[str]) -> None:
    # the retry is not decoration: zbar alone does not read light-on-dark codes
    frame = on_canvas(qr_gray(bc1_texts[1], module_px=4, dark_mode=True), background=30)
    assert FramePipeline(PyzbarDecoder(try_invert=False))(frame) == []


def test_frame_without_a_code_reads_nothing() -> None:
    frame = make_frame(FrameSpec(0, 1280, 720, None))
    assert FramePipeline(ZxingDecoder())(frame) == []


def test_two_codes_in_one_frame_are_both_read(bc1_texts: list[str]) -> None:
    frame = on_canvas(qr_gray(bc1_texts[0], module_px=4), size=(1280, 720), at=(20, 20))
    second = qr_gray(bc1_texts[2], module_px=4)
    frame[20:20 + second.shape[0], 700:700 + second.shape[1]] = second[:, :, None]
    assert sorted(FramePipeline(ZxingDecoder())(frame)) == sorted([bc1_texts[0], bc1_texts[2]])


def test_the_blur_rescue_reads_what_a_single_pass_cannot() -> None:
    # Frame 32 of the benchmark's deterministic set: 2.4 px modules, 0.42
    # module of blur. zxing-cpp locates the symbol but cannot decode it in
    # one pass; the crop scaled to 3 px a module and sharpened can (more
    # frames in test_rescue.py).
    spec = frame_specs(33)[32]
    assert spec.text is not None and spec.blur_modules > 0.4
    gray = to_gray(make_frame(spec))
    assert ZxingDecoder(rescue=False).decode(gray) == []
    found = zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode, return_errors=True)
    assert found and not any(b.valid for b in found)  # located, not decoded
    rescuing = ZxingDecoder()
    assert rescuing.decode(gray) == [spec.text]
    assert rescuing.rescued == 1


def test_downscale_keeps_aspect_and_leaves_small_images_alone() -> None:
    gray = np.zeros((720, 1280), np.uint8)
    assert downscale(gray, 640).shape == (360, 640)
    assert downscale(gray, None) is gray
    assert downscale(gray, 2000) is gray


class Exploding:
    name = "exploding"

    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    def decode(self, gray: np.ndarray) -> list[str]:
        raise self.exc


@pytest.mark.parametrize(
    "bad",
    [np.zeros((0, 0), np.uint8), np.zeros((10, 10), np.float64)],
    ids=["empty", "float"],
)
def test_a_decoder_exception_is_a_missed_frame(bad: np.ndarray) -> None:
    guarded = GuardedDecoder(ZxingDecoder())
    with pytest.raises((ValueError, TypeError)):
        ZxingDecoder().decode(bad)  # the real decoder does raise on it
    assert guarded.decode(bad) == []
    assert guarded.failures == 1


def test_a_non_utf8_failure_is_also_a_missed_frame() -> None:
    # what OpenCV's QR decoders raise on non-UTF-8 payloads
    guarded = GuardedDecoder(Exploding(UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad")))
    assert guarded.decode(np.zeros((8, 8), np.uint8)) == []
    assert guarded.failures == 1


def test_pyzbar_returns_non_utf8_payloads_as_text() -> None:
    import segno

    gbk = "受助码".encode("gb18030")
    img = np.array(segno.make(gbk, error="m", micro=False, encoding=None).matrix, np.uint8)
    img = cv2.resize(np.pad(np.where(img > 0, 0, 255).astype(np.uint8), 4, constant_values=255),
                     None, fx=4, fy=4, interpolation=cv2.INTER_NEAREST)
    assert PyzbarDecoder().decode(img) != []


def test_unknown_decoder_falls_back_to_zxing_with_a_message() -> None:
    decoder, note = make_decoder("opencv")
    assert decoder.name == ZXING
    assert note is ScanMessage.DECODER_UNAVAILABLE


def test_without_pyzbar_the_picker_falls_back_to_zxing_and_says_how_to_get_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert PYZBAR in available_decoders()  # the dev extra installs it
    monkeypatch.setitem(sys.modules, "pyzbar", None)  # `import pyzbar` now fails
    monkeypatch.setitem(sys.modules, "pyzbar.pyzbar", None)
    decoder, note = make_decoder(PYZBAR)
    assert decoder.name == ZXING
    assert note is ScanMessage.PYZBAR_MISSING
    assert "merchant-pos[zbar]" in scan_message(note, "zh_CN")
    assert "merchant-pos[zbar]" in scan_message(note, "en")
    assert available_decoders() == (ZXING,)


def test_to_gray_accepts_bgr_bgra_and_grey() -> None:
    bgr = np.zeros((4, 4, 3), np.uint8)
    bgr[..., 2] = 255
    assert to_gray(bgr).shape == (4, 4)
    assert to_gray(np.zeros((4, 4, 4), np.uint8)).shape == (4, 4)
    grey = np.zeros((4, 4), np.uint8)
    assert to_gray(grey) is grey
    with pytest.raises(ValueError):
        to_gray(np.zeros((4, 4, 2), np.uint8))
