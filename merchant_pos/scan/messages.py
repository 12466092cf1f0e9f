"""What the clerk reads about scanning: stable message ids with zh_CN and en texts.

Qt-free code returns these ids; the UI shows :func:`message` in the user's
language (the same style as :mod:`merchant_pos.domain.errors`).
"""

from __future__ import annotations

from enum import StrEnum

from merchant_pos.domain.i18n import pick


class ScanMessage(StrEnum):
    """Stable ids of the scanning messages."""

    NOT_BENEFICIARY_CODE = "scan.not_beneficiary_code"
    CAMERA_STARTING = "scan.camera_starting"
    CAMERA_READY = "scan.camera_ready"
    CAMERA_MISSING = "scan.camera_missing"
    CAMERA_BUSY = "scan.camera_busy"
    CAMERA_UNPLUGGED = "scan.camera_unplugged"
    CAMERA_STOPPED = "scan.camera_stopped"
    VIDEO_ENDED = "scan.video_ended"
    PHOTO_UNREADABLE = "scan.photo_unreadable"
    PHOTO_NO_CODE = "scan.photo_no_code"
    DECODER_UNAVAILABLE = "scan.decoder_unavailable"
    PYZBAR_MISSING = "scan.pyzbar_missing"


MESSAGES: dict[ScanMessage, dict[str, str]] = {
    ScanMessage.NOT_BENEFICIARY_CODE: {
        "zh_CN": "这不是受助码（可能是网址或付款码），请让顾客打开受助码页面",
        "en": "This is not a beneficiary code (perhaps a link or a payment code); "
        "ask the customer to open the beneficiary code page",
    },
    ScanMessage.CAMERA_STARTING: {
        "zh_CN": "正在打开摄像头…",
        "en": "Opening the camera…",
    },
    ScanMessage.CAMERA_READY: {
        "zh_CN": "请将受助码对准摄像头",
        "en": "Hold the beneficiary code up to the camera",
    },
    ScanMessage.CAMERA_MISSING: {
        "zh_CN": "未找到摄像头，请检查连接；正在自动重试。也可以用扫码枪或照片",
        "en": "No camera found; check the cable. Retrying automatically. "
        "A barcode scanner or a photo works too",
    },
    ScanMessage.CAMERA_BUSY: {
        "zh_CN": "摄像头正被其他程序占用，请关闭该程序；正在自动重试",
        "en": "The camera is in use by another program; close it. Retrying automatically",
    },
    ScanMessage.CAMERA_UNPLUGGED: {
        "zh_CN": "摄像头已断开，请重新插好；正在自动重试",
        "en": "The camera was disconnected; plug it back in. Retrying automatically",
    },
    ScanMessage.CAMERA_STOPPED: {
        "zh_CN": "摄像头已关闭",
        "en": "The camera is off",
    },
    ScanMessage.VIDEO_ENDED: {
        "zh_CN": "视频已播放完毕",
        "en": "The video has ended",
    },
    ScanMessage.PHOTO_UNREADABLE: {
        "zh_CN": "无法打开此图片，请换一张照片或截图",
        "en": "This image cannot be opened; try another photo or screenshot",
    },
    ScanMessage.PHOTO_NO_CODE: {
        "zh_CN": "图片中没有找到二维码，请换一张更清晰的照片",
        "en": "No QR code found in this image; try a sharper photo",
    },
    ScanMessage.DECODER_UNAVAILABLE: {
        "zh_CN": "所选的识别引擎不可用，已改用默认引擎",
        "en": "The chosen decoder is not available; using the default one",
    },
    ScanMessage.PYZBAR_MISSING: {
        "zh_CN": "未安装 pyzbar 识别引擎（需 pip install \"merchant-pos[zbar]\" "
        "和系统的 zbar 库），已改用默认引擎 zxing-cpp",
        "en": "The pyzbar decoder is not installed (it needs pip install \"merchant-pos[zbar]\" "
        "and the system zbar library); using the default, zxing-cpp",
    },
}


def message(msg: ScanMessage, language: str = "zh_CN") -> str:
    """The clerk's text for ``msg`` in ``language`` (zh_CN or en)."""
    return pick(MESSAGES[msg], language)
