"""Starting the counter GUI: application, theme, translator, sign-in, window."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from merchant_pos.app import PosContext
from merchant_pos.resources import resource
from merchant_pos.store import LedgerError, LedgerErrorId, OperatorSession
from merchant_pos.store.settings import CounterSettings
from merchant_pos.ui.counter_settings import preferences
from merchant_pos.ui.counter_window import CounterServices, CounterWindow
from merchant_pos.ui.day_reconcile import attach_reconciler
from merchant_pos.ui.dialogs import FirstSupervisorDialog, SignInDialog
from merchant_pos.ui.heap import freeze_startup_heap
from merchant_pos.ui.labels import Labels
from merchant_pos.ui.language_switch import WINDOW_FACTORY, standard_items
from merchant_pos.ui.receipt_printing import attach_receipt_printer
from merchant_pos.ui.staff_dialog import (
    AccountUnlockDialog,
    RecoveryCodeDialog,
    SetPinDialog,
    StaffDialog,
)
from merchant_pos.ui.theme import apply_theme, install_translator


def application(language: str) -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName("merchant-pos")
    app.setWindowIcon(QIcon(str(resource("icons", "merchant-pos-256.png"))))
    apply_theme(app)
    install_translator(app, language)
    return app


def counter_services(ctx: PosContext, language: str, *, camera: Any = None) -> CounterServices:
    profile = ctx.settings.load_profile()
    if profile is None:
        raise LedgerError(LedgerErrorId.NOT_CONFIGURED)
    labels = Labels(ctx.settings.programs(), language)
    items = standard_items(ctx.sync, language)
    return CounterServices(ctx.redemptions, ctx.operators, profile, labels, language,
                           sync=ctx.sync, camera=camera, items=items,
                           preferences=preferences(CounterSettings(ctx.ledger).snapshot()),
                           extras={"staff": ctx.staff(), "pos": ctx})


def sign_in(ctx: PosContext, language: str, hint: str = "") -> OperatorSession | None:
    """First run creates the first supervisor (recovery code shown once, then cashiers
    can be added); then a PIN sign-in, with a new PIN required after a weak one."""
    staff = ctx.staff()
    if ctx.operators.needs_first_supervisor():
        first = FirstSupervisorDialog()
        while first.exec() == QDialog.DialogCode.Accepted:
            try:
                created = staff.create_first_supervisor(first.name.text().strip(),
                                                        first.pin.text())
                break
            except LedgerError as exc:
                first.show_error(exc.message(language))
        else:
            return None
        RecoveryCodeDialog(created.recovery_code, ledger=ctx.ledger, language=language).exec()
        StaffDialog(staff, created.operator, language).exec()  # add cashiers now, or later
    names = [op.name for op in ctx.operators.operators()]
    supervisors = [op.name for op in ctx.operators.operators() if op.is_supervisor]

    def locked_out(parent: QDialog, name: str) -> None:
        AccountUnlockDialog(staff, name, supervisors, language, parent).exec()

    dialog = SignInDialog(names, hint=hint, check=ctx.operators.sign_in,
                          describe=lambda exc: _describe(exc, language), locked_out=locked_out)
    while dialog.exec() == QDialog.DialogCode.Accepted:
        session: OperatorSession = dialog.result_value
        if not session.must_change_pin or SetPinDialog(
                staff, session.operator.name, language).exec():
            session.must_change_pin = False
            return session
        dialog.show_error(QCoreApplication.translate("sign_in", "Choose a new PIN to go on."))
    return None


def dressed_window(services: CounterServices, session: OperatorSession) -> CounterWindow:
    """The counter window with what the program adds: photo input, the receipt printer."""
    from merchant_pos.ui.scan_photo import PhotoInput

    window = CounterWindow(services, session)
    photo = PhotoInput(window)
    photo.scanned.connect(window.on_scan)
    photo.failed.connect(lambda _f, text: window.show_message(text, "warning"))
    photo.accept_drops_on(window)
    services.extras["photo"] = photo
    attach_receipt_printer(window)
    attach_reconciler(window)  # issue 12: after each sync, the day against the server's
    return window


def _describe(exc: BaseException, language: str) -> str:
    return exc.message(language) if isinstance(exc, LedgerError) else str(exc)


SMALL_SCREEN = (1440, 900)  # at or below this the counter opens maximised
SCRIPTED_SIZE = (1366, 768)  # --screenshot: the common small laptop screen


def show_on_screen(window: QWidget) -> None:
    """Open at the screen's available size; maximised on small screens."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    area = screen.availableGeometry() if screen is not None else None
    if area is None or (area.width() <= SMALL_SCREEN[0] or area.height() <= SMALL_SCREEN[1]):
        window.showMaximized()
        return
    window.setGeometry(area)
    window.show()


def run_counter(ctx: PosContext, language: str, *, camera_setting: str | None = None,
                decoder: str = "zxing", hint: str = "", screenshot: Path | None = None,
                script: Any = None) -> int:
    """Run the counter until its window closes; returns the exit status."""
    app = application(language)
    camera = None
    if camera_setting:
        from merchant_pos.scan.capture import CameraSource
        from merchant_pos.scan.scanner import ScanSettings
        from merchant_pos.ui.scan_camera import CameraWorker

        camera = CameraWorker(CameraSource.parse(camera_setting), ScanSettings(decoder=decoder))
    services = counter_services(ctx, language, camera=camera)
    apply_theme(app, services.preferences.text_scale)
    session = script.session(ctx) if script is not None else sign_in(ctx, language, hint)
    if session is None:
        return 1
    # Issue 12: the receipt goes to the thermal printer on confirm, with no dialog.
    services.extras.setdefault("show_receipts", False)
    services.extras[WINDOW_FACTORY] = dressed_window  # a language switch builds anew
    window = dressed_window(services, session)
    if script is not None:  # a scripted screenshot: the size the README's pictures have
        window.resize(*SCRIPTED_SIZE)
        window.show()
    else:
        show_on_screen(window)
    if camera is not None:
        camera.start()
        if camera.decoder_message:
            window.show_message(camera.decoder_message, "warning")
    if script is not None:
        QTimer.singleShot(0, lambda: script.run(window, screenshot))
    # Once the window is up, what is alive now lives as long as the program.
    QTimer.singleShot(0, freeze_startup_heap)
    return app.exec()
