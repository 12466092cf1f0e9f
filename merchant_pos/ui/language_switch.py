"""A changed language, applied without a restart: the counter window is rebuilt in it.

This program's windows set their texts when they are built, so "retranslating"
means building the counter window anew: the app's and Qt's own (qtbase)
translators for the new language are installed, the services are rebuilt with
labels in that language (off the UI thread: they are read from the ledger),
and a new :class:`CounterWindow` takes over the same signed-in session, the same
camera and the same geometry; the old window closes without its last sync.

No customer is lost mid-sale: the switch happens only while the counter is
idle (no cart line, no customer on screen, nothing being saved, no undo on
offer, not locked). Otherwise the clerk is told it applies after this customer,
and it does, as soon as the counter becomes idle.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from merchant_pos.resources import user_language
from merchant_pos.store.reference import MerchantSettingsStore
from merchant_pos.ui.labels import Labels, StandardItem

if TYPE_CHECKING:
    from merchant_pos.store import OperatorSession
    from merchant_pos.ui.counter_window import CounterServices, CounterWindow

WINDOW_FACTORY = "window_factory"  # extras: builds and dresses a counter window (counter_app)
STANDARD_ITEMS = "sync.standard_items"  # where the sync engine keeps the config's items
IDLE_CHECK_MS = 1_000
WindowFactory = Callable[["CounterServices", "OperatorSession"], "CounterWindow"]


def resolved(language: str) -> str:
    """The saved setting ("" = as the computer is set) as a language the app speaks."""
    return language or user_language()


def standard_items(sync: Any, language: str) -> list[StandardItem]:
    """The config's standard items (canteen quick mode), labelled in ``language``."""
    raw_items = sync.ledger.get_setting(STANDARD_ITEMS, []) if sync is not None else []
    return [item for raw in (raw_items if isinstance(raw_items, list) else [])
            if isinstance(raw, dict)
            and (item := StandardItem.from_config(raw, language)) is not None]


def services_in(services: CounterServices, language: str) -> CounterServices:
    """The same services speaking ``language`` (reads the ledger: not on the UI thread)."""
    programs = MerchantSettingsStore(services.redemptions.ledger).programs()
    items = standard_items(services.sync, language) if services.sync is not None \
        else services.items
    return replace(services, language=language, labels=Labels(programs, language),
                   items=items, extras=dict(services.extras))


def counter_is_idle(window: CounterWindow) -> bool:
    """Nobody's sale would be cut short by rebuilding the window now."""
    return (window.cart.rowCount() == 0 and not getattr(window, "_busy", False)
            and window.asking is None and not window.locker.locked
            and not window.undo_offered()
            and (window.code_text is None or window.result is not None))


class LanguageSwitch(QObject):
    """Switches one counter window's language now, or once the counter is idle."""

    switched = Signal(object)  # the new CounterWindow (tests wait on it)

    def __init__(self, window: CounterWindow) -> None:
        super().__init__(window)
        self.window = window
        self.wanted: str | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(IDLE_CHECK_MS)
        self.timer.timeout.connect(self._try)

    def request(self, language: str) -> None:
        """Switch to ``language`` (a saved setting): now if idle, else after this customer."""
        language = resolved(language)
        if language == self.window.services.language:
            self.wanted = None
            self.timer.stop()
            return
        self.wanted = language
        if counter_is_idle(self.window):
            self._switch()
            return
        self.window.show_message(QCoreApplication.translate(
            "LanguageSwitch", "Saved. The new language applies after this customer, as soon "
            "as the cart is empty."), "info")
        self.timer.start()

    def _try(self) -> None:
        if self.wanted is not None and counter_is_idle(self.window):
            self.timer.stop()
            self._switch()

    def _switch(self) -> None:
        old, language = self.window, self.wanted
        assert language is not None
        services = old.services
        old.tasks.run(lambda: services_in(services, language),
                      lambda new_services: self._rebuild(new_services, language),
                      lambda exc: old.show_message(old.error_text(exc), "error"))

    def _rebuild(self, services: CounterServices, language: str) -> None:
        old = self.window
        if not counter_is_idle(old):  # a scan arrived while the labels loaded: wait again
            self.timer.start()
            return
        from merchant_pos.ui.theme import install_translator

        app = QApplication.instance()
        if isinstance(app, QApplication):
            install_translator(app, language)
        camera = services.camera
        if camera is not None:  # the camera carries on for the new window
            with contextlib.suppress(RuntimeError, TypeError):
                camera.scanned.disconnect(old.on_scan)
            old.services.camera = None  # so that closing the old one does not stop it
        factory: WindowFactory | None = services.extras.get(WINDOW_FACTORY)
        if factory is None:
            from merchant_pos.ui.counter_window import CounterWindow

            factory = CounterWindow
        new = factory(services, old.session)
        new.setGeometry(old.geometry())
        new.setWindowState(old.windowState())
        new.show()
        new.show_message(QCoreApplication.translate(
            "LanguageSwitch", "The counter now uses the new language."), "success")
        old.final_sync.done = True  # the new window syncs on; no last sync for the old one
        old.close()
        old.deleteLater()
        self.switched.emit(new)
