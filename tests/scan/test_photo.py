"""Photos and screenshots: real image files through the photo decoder and the
``merchant-pos decode`` command; the public QR samples against raw zxing-cpp."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import cv2
import numpy as np
import pytest
import zxingcpp

from merchant_pos.cli import main
from merchant_pos.scan.classify import CodeKind
from merchant_pos.scan.messages import ScanMessage
from merchant_pos.scan.photo import decode_image, decode_image_bytes, decode_image_file, load_image
from tests.scan.conftest import ROOT, on_canvas, qr_gray

# The project's copy (tests/data/qr-samples/README.md says where it comes from),
# or another folder of the same shape.
SAMPLES = Path(os.environ.get("MERCHANT_POS_QR_SAMPLES") or ROOT / "tests" / "data" / "qr-samples")


def test_a_screenshot_png_of_a_bc1_code(tmp_path: Path, bc1_texts: list[str]) -> None:
    path = tmp_path / "截图 受助码.png"  # a Chinese file name, as a clerk's PC saves it
    assert cv2.imencode(".png", qr_gray(bc1_texts[0], module_px=3))[1].tofile(str(path)) is None
    result = decode_image_file(path)
    assert result.texts == [bc1_texts[0]] and result.message is None
    assert [e.kind for e in result.events()] == [CodeKind.BENEFICIARY]
    assert result.ms > 0


def test_a_phone_photo_jpeg(tmp_path: Path, bc1_texts: list[str]) -> None:
    from merchant_pos.bench._scan_frames import FrameSpec, make_frame

    spec = FrameSpec(3, 1280, 720, bc1_texts[1], code_px=330, module_px=4.8, tilt_deg=18,
                     blur_modules=0.2, jpeg_quality=60, glare=True)
    path = tmp_path / "photo.jpg"
    cv2.imwrite(str(path), make_frame(spec))
    assert decode_image_file(path).texts == [bc1_texts[1]]


def test_a_code_drawn_on_a_transparent_background(tmp_path: Path, bc1_texts: list[str]) -> None:
    symbol = qr_gray(bc1_texts[2], module_px=3)
    bgra = np.zeros((*symbol.shape, 4), np.uint8)  # black everywhere ...
    bgra[..., 3] = np.where(symbol < 128, 255, 0)  # ... opaque only on dark modules
    path = tmp_path / "transparent.png"
    cv2.imwrite(str(path), bgra)
    flat = cv2.imread(str(path), cv2.IMREAD_COLOR)  # what ignoring alpha would see
    assert zxingcpp.read_barcodes(flat) == []
    assert decode_image_file(path).texts == [bc1_texts[2]]


def test_a_16_bit_png(tmp_path: Path, bc1_texts: list[str]) -> None:
    path = tmp_path / "deep.png"
    cv2.imwrite(str(path), qr_gray(bc1_texts[0], module_px=3).astype(np.uint16) * 257)
    assert decode_image_file(path).texts == [bc1_texts[0]]


def test_an_image_in_memory_from_the_clipboard(bc1_texts: list[str]) -> None:
    frame = on_canvas(qr_gray(bc1_texts[0], module_px=4))
    assert decode_image(frame, "clipboard").texts == [bc1_texts[0]]
    assert decode_image(np.zeros((4, 4, 2), np.uint8)).message is ScanMessage.PHOTO_UNREADABLE


def test_bad_files_give_a_message_and_no_exception(tmp_path: Path) -> None:
    text_file = tmp_path / "notes.png"
    text_file.write_text("not an image")
    assert decode_image_file(text_file).message is ScanMessage.PHOTO_UNREADABLE
    assert decode_image_file(tmp_path / "gone.png").message is ScanMessage.PHOTO_UNREADABLE
    assert decode_image_bytes(b"").message is ScanMessage.PHOTO_UNREADABLE
    assert load_image(b"\x89PNG\r\n\x1a\n" + b"\0" * 40) is None
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((200, 300), 255, np.uint8))
    result = decode_image_file(blank)
    assert result.texts == [] and result.message is ScanMessage.PHOTO_NO_CODE


def test_the_decode_command_prints_one_json_line_per_file(
    tmp_path: Path, bc1_texts: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.png"
    cv2.imwrite(str(good), qr_gray(bc1_texts[0], module_px=3))
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((100, 100), 255, np.uint8))
    status = main(["decode", str(good), str(blank)])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert status == 1  # one file had no code
    assert [line["file"] for line in lines] == [str(good), str(blank)]
    assert lines[0]["texts"] == [bc1_texts[0]] and "error" not in lines[0]
    assert lines[1]["texts"] == [] and lines[1]["error"] == "scan.photo_no_code"
    assert all(isinstance(line["ms"], float) and line["ms"] >= 0 for line in lines)
    assert main(["decode", str(good)]) == 0


def _same(expected: str, texts: list[str]) -> bool:
    # index.csv stores line ends as \n and trims the end; decoders return \r\n
    want = expected.replace("\r\n", "\n").strip()
    return any(t.replace("\r\n", "\n").strip() == want for t in texts)


def test_the_pipeline_reads_at_least_as_many_public_samples_as_raw_zxing() -> None:
    with (SAMPLES / "index.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) >= 100
    raw_ok = ours_ok = 0
    lost = []
    for row in rows:
        path = SAMPLES / row["file"]
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        raw = _same(row["expected"], [b.text for b in zxingcpp.read_barcodes(image)])
        ours = _same(row["expected"], decode_image_file(path).texts)
        raw_ok += raw
        ours_ok += ours
        if raw and not ours:
            lost.append(row["file"])
    assert not lost, f"read by raw zxing-cpp but not by the pipeline: {lost}"
    assert ours_ok >= raw_ok
    assert ours_ok >= 0.9 * len(rows)
