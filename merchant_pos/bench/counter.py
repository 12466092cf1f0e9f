"""The counter window at speed (embedded demo server, real window offscreen, canteen).

- scan → card painted: from the Enter that ends a scanner burst (key events
  with window-system timestamps) until the beneficiary card has been repainted
  with the new customer (the UI's cost per burst key is reported beside it);
  baseline: the same code's verify + quote called directly
  (``RedemptionService.quote``), interleaved, same run.
- Enter → result painted: Enter until the green result banner is repainted;
  baseline: a direct ``RedemptionService.redeem`` of the same cart for another
  diner, interleaved.
- the longest event-loop stall (a 5 ms timer's largest gap) while the camera
  path reads a generated 1280x720 video at 30 fps and a sync of a 10k backlog
  runs, beside the idle window's (``merchant_pos/bench/counter_stall.py``).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from pathlib import Path

from merchant_pos.bench._stats import Timing


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--diners", type=int, default=40, help="diners per measurement (40)")
    parser.add_argument("--stall-seconds", type=float, default=4.0,
                        help="idle and camera-only phases of the stall run (4 s)")
    parser.add_argument("--stall-count", type=int, default=10_000,
                        help="queued redemptions the stall run syncs (10k)")


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEvent, QObject, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication, QWidget

    from merchant_pos.app import DEMO_CASHIER, DEMO_CASHIER_PIN, start_demo
    from merchant_pos.domain.quote import CartLine
    from merchant_pos.server import admin
    from merchant_pos.ui.counter_app import counter_services
    from merchant_pos.ui.counter_window import CounterWindow
    from merchant_pos.ui.feedback import Feedback
    from merchant_pos.ui.theme import apply_theme

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    apply_theme(app)

    class Painted(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.count = 0

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                self.count += 1
            return False

    stamp = [1_000_000]

    def send(widget: QWidget, key: int, text: str) -> None:
        stamp[0] += 3
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text)
            event.setTimestamp(stamp[0])
            QApplication.sendEvent(widget, event)

    def wait_for(done: object, timeout: float = 20.0) -> None:
        end = time.perf_counter() + timeout
        while not done():  # type: ignore[operator]
            app.processEvents()
            if time.perf_counter() > end:
                raise TimeoutError("the counter did not answer")

    with tempfile.TemporaryDirectory(prefix="mpos-bench-counter-") as tmp:
        world = start_demo(Path(tmp), "canteen-01")
        try:
            engine, now = world.server.engine, int(time.time())
            n = args.diners
            codes = []
            for i in range(3 * n):
                sub = admin.add_beneficiary(engine, program_id="elder-meal-2026",
                                            name=f"食客{i}", sub=f"B-BENCH-{i:04d}", now=now)
                codes.append(admin.issue_beneficiary_code(engine, sub, now=now).text)
            assert world.pos.sync is not None
            world.pos.sync.sync_now()
            services = counter_services(world.pos, "zh_CN")
            services.feedback = Feedback()
            session = world.pos.operators.sign_in(DEMO_CASHIER, DEMO_CASHIER_PIN)
            window = CounterWindow(services, session)
            window.resize(1366, 768)
            window.show()
            card, banner = window.card, window.banner
            card_paints, banner_paints = Painted(), Painted()
            card.installEventFilter(card_paints)
            banner.installEventFilter(banner_paints)
            field = window.entry.amount
            service = world.pos.redemptions
            scan_t, enter_t, quote_t, redeem_t, keys_t = [], [], [], [], []
            lunch = CartLine("meal", 1200, 1)
            for i in range(n):
                code, other = codes[i], codes[n + i]
                t0 = time.perf_counter()
                service.quote(code, [])  # raw baseline: verify + quote the same code
                quote_t.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                service.redeem(str(uuid.uuid4()), other, [lunch], session)  # raw baseline
                redeem_t.append((time.perf_counter() - t0) * 1000)

                before, redeemed = card_paints.count, len(service.recent(1000))
                t0 = time.perf_counter()
                for ch in code:
                    send(field, ord(ch.upper()), ch)
                t1 = time.perf_counter()
                keys_t.append((t1 - t0) * 1000 / len(code))
                t0 = t1  # the scan is an event when its Enter arrives
                send(field, Qt.Key.Key_Return, "\r")
                wait_for(lambda c=code, b=before: window.current is not None
                         and window.code_text == c and card_paints.count > b)
                scan_t.append((time.perf_counter() - t0) * 1000)

                before = banner_paints.count
                t0 = time.perf_counter()
                send(field, Qt.Key.Key_Return, "\r")
                wait_for(lambda b=before: window.result is not None
                         and banner.kind == "accepted" and banner_paints.count > b)
                enter_t.append((time.perf_counter() - t0) * 1000)
                assert len(service.recent(1000)) == redeemed + 1
            print(f"counter: {n} diners, canteen quick mode, zh_CN, 1366x768 offscreen")
            raw_q, raw_r = Timing("raw verify + quote (baseline)", quote_t), Timing(
                "raw redeem (baseline)", redeem_t)
            print(raw_q.row())
            print(Timing("scan (burst's Enter) -> card painted", scan_t).row(raw_q))
            print(Timing(f"UI cost per key of a {len(codes[0])}-key burst", keys_t).row())
            print(raw_r.row())
            print(Timing("Enter -> result painted", enter_t).row(raw_r))

            window.close()
            window.deleteLater()
            app.processEvents()
        finally:
            world.close()
    # The longest stall of the UI thread: camera at 30 fps + a sync of a backlog.
    from merchant_pos.bench import counter_stall
    print("\n".join(counter_stall.measure(args.stall_count, args.stall_seconds, rounds=1)))
    return 0
