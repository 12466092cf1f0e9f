"""Printer settings (the settings screen's printer page): target, roll width, auto-print on
confirm, drawer kick, receipt language."""

from __future__ import annotations

from dataclasses import dataclass

from merchant_pos.store.ledger import Ledger
from merchant_pos.store.settings import (
    CounterSettings,
    Setting,
    SettingsSnapshot,
    SettingValue,
)

TARGET = Setting("printer.target", "", max_length=300)
WIDTH = Setting("printer.width_mm", 58, choices=(58, 80))
AUTO_PRINT = Setting("printer.auto_print", True)
DRAWER_KICK = Setting("printer.drawer_kick", False)
LANGUAGE = Setting("printer.language", "zh_CN", choices=("zh_CN", "en"))


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


def config_from(snapshot: SettingsSnapshot) -> PrinterConfig:
    return PrinterConfig(snapshot.get(TARGET), snapshot.get(WIDTH), snapshot.get(AUTO_PRINT),
                         snapshot.get(DRAWER_KICK), snapshot.get(LANGUAGE))


def load_config(ledger: Ledger) -> PrinterConfig:
    return config_from(CounterSettings(ledger).snapshot())


def save_config(ledger: Ledger, config: PrinterConfig, *, operator_id: int | None = None
                ) -> list[str]:
    changes: dict[Setting[SettingValue], SettingValue] = {
        TARGET: config.target, WIDTH: config.width_mm, AUTO_PRINT: config.auto_print,
        DRAWER_KICK: config.drawer_kick, LANGUAGE: config.language}
    return CounterSettings(ledger).update(changes, operator_id=operator_id)
