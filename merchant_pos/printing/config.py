"""Printer settings: target, roll width, auto-print on confirm, drawer kick, language."""

from __future__ import annotations

from dataclasses import dataclass

from merchant_pos.store.ledger import Ledger
from merchant_pos.store.sync_state import SyncStateStore

TARGET = "printer.target"
WIDTH = "printer.width_mm"
AUTO_PRINT = "printer.auto_print"
DRAWER_KICK = "printer.drawer_kick"
LANGUAGE = "printer.language"


@dataclass(frozen=True, slots=True)
class PrinterConfig:
    target: str = ""
    width_mm: int = 58
    auto_print: bool = True
    drawer_kick: bool = False
    language: str = "zh_CN"

    @property
    def columns(self) -> int:
        return 48 if self.width_mm == 80 else 32


def load_config(ledger: Ledger) -> PrinterConfig:
    store = SyncStateStore(ledger)
    default = PrinterConfig()
    width = store.get_setting(WIDTH, default.width_mm)
    return PrinterConfig(
        target=str(store.get_setting(TARGET, default.target) or ""),
        width_mm=80 if width == 80 else 58,
        auto_print=bool(store.get_setting(AUTO_PRINT, default.auto_print)),
        drawer_kick=bool(store.get_setting(DRAWER_KICK, default.drawer_kick)),
        language=str(store.get_setting(LANGUAGE, default.language) or "zh_CN"))


def save_config(ledger: Ledger, config: PrinterConfig) -> None:
    store = SyncStateStore(ledger)
    for key, value in ((TARGET, config.target), (WIDTH, config.width_mm),
                       (AUTO_PRINT, config.auto_print), (DRAWER_KICK, config.drawer_kick),
                       (LANGUAGE, config.language)):
        store.set_setting(key, value)
