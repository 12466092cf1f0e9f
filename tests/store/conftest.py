"""Fixtures: a real ledger file in tmp_path, configured like a baby shop, with operators."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from merchant_pos.domain.issuing import IssuerKey
from merchant_pos.store import (
    Ledger,
    MerchantProfile,
    MerchantSettingsStore,
    OperatorRegistry,
    OperatorRole,
    OperatorSession,
    PinHasher,
    RedemptionService,
    TrustStore,
)
from tests.support.codes import NOW, issuer_key, trust_for

FAST_PINS = PinHasher(n=2**8)  # the scheme is the same; a cheap cost keeps tests quick


class FakeClock:
    """An injected clock the test moves by hand."""

    def __init__(self, now: int = NOW) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now

    def advance(self, seconds: int) -> None:
        self.now += seconds


BABY_SHOP = MerchantProfile(
    merchant_id="M-BABY-01", merchant_name="好孩子母婴店", kind="baby_shop",
    device_id="D01", time_zone="Asia/Shanghai",
    programs=("jss-baby-2023", "elder-meal"), categories=("formula", "diaper", "meal", "fruit"),
)


@dataclass
class Counter:
    ledger: Ledger
    clock: FakeClock
    key: IssuerKey
    operators: OperatorRegistry
    service: RedemptionService
    cashier: OperatorSession
    supervisor_name: str = "王主管"
    supervisor_pin: str = "9999"


def configure(ledger: Ledger, key: IssuerKey, profile: MerchantProfile = BABY_SHOP) -> None:
    MerchantSettingsStore(ledger).save_profile(profile)
    TrustStore(ledger).replace_trust_list(trust_for(key))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def key() -> IssuerKey:
    return issuer_key()


@pytest.fixture
def ledger(tmp_path: Path, clock: FakeClock) -> Iterator[Ledger]:
    with Ledger.open(tmp_path / "data", clock=clock) as opened:
        yield opened


@pytest.fixture
def counter(ledger: Ledger, clock: FakeClock, key: IssuerKey) -> Counter:
    configure(ledger, key)
    operators = OperatorRegistry(ledger, hasher=FAST_PINS)
    operators.create_first_supervisor("王主管", "9999")
    boss = operators.sign_in("王主管", "9999")
    operators.add_operator(boss, "李收银", OperatorRole.CASHIER, "1234")
    cashier = operators.sign_in("李收银", "1234")
    return Counter(ledger, clock, key, operators, RedemptionService(ledger, operators), cashier)
