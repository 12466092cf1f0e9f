"""What a shop sets up once for this counter: camera, decoder, language.

Read at every start (``merchant-pos run`` / ``demo`` need no flag; a flag
still overrides for that run) and edited on the settings screen by a
supervisor. The camera is ``""`` (none: barcode scanner only), a camera
index (``"0"``), a camera name, or a video file path.
"""

from __future__ import annotations

from dataclasses import dataclass

from merchant_pos.store.settings import CounterSettings, Setting

CAMERA = Setting("scan.camera", "")
DECODER = Setting("scan.decoder", "zxing", choices=("zxing", "pyzbar"))
LANGUAGE = Setting("counter.language", "", choices=("", "zh_CN", "en"))  # "" = the system's


@dataclass(frozen=True, slots=True)
class StartSettings:
    camera: str | None
    decoder: str
    language: str | None


def start_settings(settings: CounterSettings, *, camera: str | None = None,
                   decoder: str | None = None, language: str | None = None) -> StartSettings:
    """The saved settings, each overridden by a command-line value when one was given."""
    snap = settings.snapshot()
    return StartSettings(camera if camera is not None else (snap.get(CAMERA) or None),
                         decoder or snap.get(DECODER),
                         language or snap.get(LANGUAGE) or None)
