"""Screenshots of each counter state, zh_CN and en, at 1366x768 and 1024x768 (docs/img/).

Run by ``scripts/screenshots``: the embedded demo server, a real window offscreen,
driven through the same calls the keyboard makes.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

SIZES = ((1366, 768), (1024, 768))
LANGUAGES = ("zh_CN", "en")


def _settle(app: object, cond: Callable[[], bool], timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while not cond():
        app.processEvents()  # type: ignore[attr-defined]
        if time.monotonic() > end:
            raise TimeoutError("the counter did not answer")
        time.sleep(0.005)
    for _ in range(5):
        app.processEvents()  # type: ignore[attr-defined]


def tour(out: Path) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from merchant_pos.app import DEMO_CASHIER, DEMO_CASHIER_PIN, start_demo
    from merchant_pos.domain.quote import CartLine
    from merchant_pos.scan.classify import ScanSource, classify
    from merchant_pos.server import admin
    from merchant_pos.ui.counter_app import counter_services
    from merchant_pos.ui.counter_window import CounterWindow
    from merchant_pos.ui.feedback import Feedback
    from merchant_pos.ui.theme import apply_theme, install_translator, remove_translators

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    apply_theme(app)
    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="mpos-shots-") as tmp:
        for merchant, program in (("baby-shop-01", "jss-baby-2023"),
                                  ("canteen-01", "elder-meal-2026")):
            world = start_demo(Path(tmp) / merchant, merchant)
            try:
                engine, now = world.server.engine, int(time.time())
                codes = []
                for i in range(16):
                    sub = admin.add_beneficiary(engine, program_id=program, name="张秀英",
                                                sub=f"B-SHOT-{merchant[:4]}-{i}", now=now)
                    codes.append(admin.issue_beneficiary_code(engine, sub, now=now).text)
                assert world.pos.sync is not None
                world.pos.sync.sync_now()
                session = world.pos.operators.sign_in(DEMO_CASHIER, DEMO_CASHIER_PIN)
                for lang in LANGUAGES:
                    install_translator(app, lang)
                    for w, h in SIZES:
                        services = counter_services(world.pos, lang)
                        services.feedback = Feedback()
                        window = CounterWindow(services, session)
                        window.resize(w, h)
                        window.show()

                        def shot(state: str, win: CounterWindow = window, size: str = f"{w}",
                                 lg: str = lang) -> None:
                            app.processEvents()
                            path = out / f"counter-{state}-{lg.split('_')[0]}-{size}.png"
                            win.grab().save(str(path))
                            saved.append(path)

                        def scan(code: str, win: CounterWindow = window) -> None:
                            win.on_scan(classify(code, ScanSource.SCANNER))
                            _settle(app, lambda: (win.current is not None and not win._busy)
                                    or win.banner.kind in ("rejected", "question"))

                        def line(cat: str, fen: int, qty: int = 1,
                                 win: CounterWindow = window) -> None:
                            win.add_line(CartLine(cat, fen * qty, qty))
                            _settle(app, lambda: win.cart.quote is not None)

                        def confirm(win: CounterWindow = window) -> None:
                            win.confirm_redemption()
                            _settle(app, lambda: win.result is not None)

                        code, other = codes.pop(), codes.pop()
                        if merchant == "baby-shop-01":
                            shot("waiting")
                            scan(code)
                            line("formula", 6900)
                            shot("baby-forfeit")  # 69 of a single-use 50 + 50: 31 lost
                            line("diaper", 6900, 2)
                            shot("baby-partial")
                            window.on_scan(classify(other, ScanSource.SCANNER))
                            shot("question")
                            window.answer_keep()
                            confirm()
                            shot("baby-result")
                            broken = other[:-6] + ("AAAAAA" if other[-6:] != "AAAAAA"
                                                   else "BBBBBB")
                            scan(broken)
                            shot("rejected")
                        else:
                            scan(code)
                            shot("canteen-quick")
                            confirm()
                            shot("canteen-result")
                            window.reset()
                            scan(code)
                            shot("nothing-left")
                        window.close()
                        window.deleteLater()
                    remove_translators(app)
            finally:
                world.close()
    return saved


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else Path(__file__).resolve().parents[2] / "docs" / "img"
    for path in tour(out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
