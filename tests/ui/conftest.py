"""A counter window on a real ledger file, configured like a shop, with real codes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from merchant_pos.domain.issuing import IssuerKey
from merchant_pos.store import (
    Ledger,
    MerchantSettingsStore,
    OperatorRegistry,
    OperatorRole,
    RedemptionService,
)
from merchant_pos.store.reference import CategoryInfo, ProgramInfo
from merchant_pos.ui.counter_window import CounterServices, CounterWindow
from merchant_pos.ui.feedback import Feedback
from merchant_pos.ui.labels import Labels
from merchant_pos.ui.theme import apply_theme
from tests.store.conftest import BABY_SHOP, FAST_PINS, FakeClock, configure
from tests.support.codes import NOW, issuer_key

PROGRAMS = [ProgramInfo("jss-baby-2023", "母婴补助", "Baby vouchers", "Asia/Shanghai", (
    CategoryInfo("formula", "奶粉", "Formula"), CategoryInfo("diaper", "纸尿裤", "Diapers"),
    CategoryInfo("clothing", "衣物", "Clothing")))]


@dataclass
class Shop:
    ledger: Ledger
    clock: FakeClock
    key: IssuerKey
    window: CounterWindow
    service: RedemptionService


@pytest.fixture(scope="session")
def shop_key() -> IssuerKey:
    return issuer_key()


@pytest.fixture
def shop(qtbot: QtBot, tmp_path: Path, shop_key: IssuerKey) -> Iterator[Shop]:
    clock = FakeClock(NOW)
    with Ledger.open(tmp_path / "data", clock=clock) as ledger:
        configure(ledger, shop_key)
        MerchantSettingsStore(ledger).save_programs(PROGRAMS)
        operators = OperatorRegistry(ledger, hasher=FAST_PINS)
        operators.create_first_supervisor("王主管", "9999")
        boss = operators.sign_in("王主管", "9999")
        operators.add_operator(boss, "李收银", OperatorRole.CASHIER, "1234")
        session = operators.sign_in("李收银", "1234")
        service = RedemptionService(ledger, operators)
        services = CounterServices(service, operators, BABY_SHOP, Labels(PROGRAMS, "zh_CN"),
                                   "zh_CN", feedback=Feedback())
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        apply_theme(app)  # the counter's real look: sizes and fonts as at a shop
        window = CounterWindow(services, session)
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        shop = Shop(ledger, clock, shop_key, window, service)
        yield shop
        for opened in {window, shop.window}:
            opened.final_sync.done = True  # no last sync on close here (test_setup_and_close.py)
            opened.close()



# The counter on the embedded demo server (canteen, baby shop), for the keyboard tests.
from tests.ui.counter_world import baby_shop, canteen  # noqa: E402, F401
