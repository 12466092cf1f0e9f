"""Fixtures: a real ledger configured as a baby shop with programs, a device number and
operators (the store tests' counter), and loopback TCP printers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from merchant_pos.store.reference import CategoryInfo, MerchantSettingsStore, ProgramInfo
from merchant_pos.store.sync_state import SyncStateStore
from tests.printing.tcp_printer import LoopbackPrinter
from tests.store.conftest import Counter, clock, counter, key, ledger  # noqa: F401

PROGRAMS = [
    ProgramInfo("jss-baby-2023", "母婴补贴", "Baby vouchers", "Asia/Shanghai", (
        CategoryInfo("formula", "奶粉", "Formula"), CategoryInfo("diaper", "纸尿裤", "Diapers"),
        CategoryInfo("clothing", "童装", "Clothing"))),
    ProgramInfo("elder-meal", "长者助餐", "Elderly meals", "Asia/Shanghai", (
        CategoryInfo("meal", "餐食", "Meal"), CategoryInfo("fruit", "水果", "Fruit"))),
]


@pytest.fixture
def shop(counter: Counter) -> Counter:  # noqa: F811
    MerchantSettingsStore(counter.ledger).save_programs(PROGRAMS)
    SyncStateStore(counter.ledger).set_setting("device.number", 3)
    return counter


@pytest.fixture
def tcp_printer() -> Iterator[LoopbackPrinter]:
    printer = LoopbackPrinter().start()
    yield printer
    printer.stop()
