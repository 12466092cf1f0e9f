"""``merchant-pos run``: the counter on this computer's own ledger and server."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("run", help="start the counter (first start: connect to the server)")
    p.add_argument("--data-dir", type=Path, help="where the ledger lives (default: per user)")
    p.add_argument("--lang", choices=["zh_CN", "en"], help="language of the counter")
    p.add_argument("--camera", help="camera index, name or video file to scan from "
                                    "(default: the one chosen in the settings)")
    p.add_argument("--decoder", choices=["zxing", "pyzbar"],
                   help="QR decoder for the camera (default: the settings', else zxing)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from merchant_pos.app import open_pos
    from merchant_pos.resources import user_language
    from merchant_pos.store import LedgerError
    from merchant_pos.store.paths import data_dir

    lang = args.lang or user_language()
    try:
        ctx = open_pos(data_dir(args.data_dir))
    except LedgerError as exc:
        print(f"merchant-pos: {exc.message(lang)}")
        return 2
    start = ctx.start_settings(camera=args.camera, decoder=args.decoder, language=args.lang)
    lang = start.language or lang  # the saved language, unless --lang says otherwise
    try:
        from merchant_pos.ui.counter_app import application, run_counter
        from merchant_pos.ui.enroll_dialog import EnrollDialog

        application(lang)
        if ctx.settings.load_profile() is None and not EnrollDialog(ctx, lang).exec():
            return 1
        return run_counter(ctx, lang, camera_setting=start.camera, decoder=start.decoder)
    finally:
        ctx.close()
