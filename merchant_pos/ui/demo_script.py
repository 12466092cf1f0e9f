"""A scripted walk through the counter, for screenshots of the demo (``--screenshot``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from merchant_pos.app import DEMO_SUPERVISOR, DEMO_SUPERVISOR_PIN, PosContext
from merchant_pos.domain.quote import CartLine
from merchant_pos.scan.classify import ScanSource, classify
from merchant_pos.store import OperatorSession
from merchant_pos.ui.counter_window import CounterWindow


class DemoScript:
    """Signs in as the demo supervisor, scans ``code``, enters ``cart``, saves a PNG."""

    def __init__(self, code: str, cart: list[CartLine]) -> None:
        self.code = code
        self.cart = cart

    def session(self, ctx: PosContext) -> OperatorSession:
        return ctx.operators.sign_in(DEMO_SUPERVISOR, DEMO_SUPERVISOR_PIN)

    def run(self, window: CounterWindow, screenshot: Path | None) -> None:
        window.services.extras["show_receipts"] = False
        window.on_scan(classify(self.code, ScanSource.SCANNER))
        for line in self.cart:
            window.cart.add_line(line)
        window.request_quote()

        def shoot() -> None:
            if screenshot is not None:
                window.grab().save(str(screenshot))
            window.close()
            QApplication.quit()

        window.quoted.connect(lambda: QTimer.singleShot(300, shoot))
