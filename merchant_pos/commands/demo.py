"""``merchant-pos demo``: the counter on the embedded demo server, no setup needed.

Starts the reference server in-process on a loopback port with demo
programs, merchants and beneficiaries, enrolls this counter, syncs, and opens
the counter window. Demo QR codes to scan (or open as photos) are written to
``<data dir>/server/``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

DEFAULT_CARTS = {
    "canteen-01": [{"cat": "meal", "amount": 1500, "qty": 1},
                   {"cat": "fruit", "amount": 500, "qty": 1}],
    "baby-shop-01": [{"cat": "formula", "amount": 12800, "qty": 1},
                     {"cat": "diaper", "amount": 6900, "qty": 1}],
    "clinic-01": [{"cat": "checkup", "amount": 3000, "qty": 1}],
}


def register(sub: Any) -> None:
    from merchant_pos.demo_names import DEMO_MERCHANTS

    p = sub.add_parser("demo", help="run the counter on the embedded demo server")
    p.add_argument("--data-dir", type=Path,
                   help="where the demo keeps its files (default: a new temporary folder)")
    p.add_argument("--merchant", choices=DEMO_MERCHANTS, default=DEMO_MERCHANTS[0])
    p.add_argument("--lang", choices=["zh_CN", "en"], help="language of the counter")
    p.add_argument("--camera", help="camera index, name or video file to scan from "
                                    "(default: the one chosen in the settings)")
    p.add_argument("--decoder", choices=["zxing", "pyzbar"],
                   help="QR decoder for the camera (default: the settings', else zxing)")
    p.add_argument("--screenshot", type=Path,
                   help="scripted run: scan a demo code, enter a cart, save a PNG, exit")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from merchant_pos.app import (
        DEMO_CASHIER,
        DEMO_CASHIER_PIN,
        DEMO_SUPERVISOR,
        DEMO_SUPERVISOR_PIN,
        start_demo,
    )
    from merchant_pos.resources import user_language
    from merchant_pos.ui.counter_app import run_counter

    lang = args.lang or user_language()
    if args.screenshot is None and not _has_screen():
        from merchant_pos.commands._launcher import command

        try_this = command("demo", "--screenshot", "counter.png")
        print(f"没有找到屏幕（没有 DISPLAY 或 WAYLAND_DISPLAY）。请在桌面上运行，或试试：{try_this}"
              if lang == "zh_CN" else
              "merchant-pos demo: no screen found (no DISPLAY or WAYLAND_DISPLAY). Run it on "
              f"a desktop, or try: {try_this}", file=sys.stderr)
        return 1
    if args.screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    folder = args.data_dir or Path(tempfile.mkdtemp(prefix="merchant-pos-demo-"))
    from merchant_pos.app import demo_pos_folder
    from merchant_pos.diagnostics.logfile import start_log

    start_log(demo_pos_folder(folder, args.merchant), "demo", lang)
    world = start_demo(folder, args.merchant)
    codes = folder / "server"
    if lang == "zh_CN":
        print(f"演示服务器：{world.base_url}\n演示数据：{folder}\n"
              f"演示受助码图片：{codes}（说明：{codes / 'index.md'}，含无效样例）\n"
              f"登录：店长 {DEMO_SUPERVISOR} / PIN {DEMO_SUPERVISOR_PIN}，"
              f"收银员 {DEMO_CASHIER} / PIN {DEMO_CASHIER_PIN}", flush=True)
    else:
        print(f"demo server: {world.base_url}\ndemo data: {folder}\n"
              f"demo QR codes: {codes} (guide: {codes / 'index.md'}, with invalid samples)\n"
              f"sign in as supervisor {DEMO_SUPERVISOR} with PIN {DEMO_SUPERVISOR_PIN}, "
              f"or cashier {DEMO_CASHIER} with PIN {DEMO_CASHIER_PIN}", flush=True)
    script = None
    if args.screenshot is not None:
        from merchant_pos.domain.quote import CartLine
        from merchant_pos.ui.demo_script import DemoScript

        profile = world.pos.settings.load_profile()
        assert profile is not None
        code = next(c for p in profile.programs for c in world.codes(p))
        script = DemoScript(code, [CartLine.from_json(x) for x in
                                   DEFAULT_CARTS.get(args.merchant, [])])
    hint = (f"演示：主管 {DEMO_SUPERVISOR} / {DEMO_SUPERVISOR_PIN}，"
            f"收银员 {DEMO_CASHIER} / {DEMO_CASHIER_PIN}" if lang == "zh_CN"
            else f"Demo: supervisor {DEMO_SUPERVISOR} / {DEMO_SUPERVISOR_PIN}, "
                 f"cashier {DEMO_CASHIER} / {DEMO_CASHIER_PIN}")
    try:
        start = world.pos.start_settings(camera=args.camera, decoder=args.decoder,
                                         language=args.lang)
        return run_counter(world.pos, start.language or lang, camera_setting=start.camera,
                           decoder=start.decoder,
                           hint=hint,
                           screenshot=args.screenshot, script=script)
    finally:
        world.close()


def _has_screen() -> bool:
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
