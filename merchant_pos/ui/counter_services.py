"""What the counter window is built from (made by ``merchant_pos.app``; nothing global),
and the canteen quick-mode rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from merchant_pos.domain.claims import Unit
from merchant_pos.domain.quote import remaining_at
from merchant_pos.store import OperatorRegistry, RedemptionService
from merchant_pos.store.redemptions import CartQuote
from merchant_pos.store.reference import MerchantProfile
from merchant_pos.ui.feedback import Feedback
from merchant_pos.ui.labels import Labels, StandardItem


@dataclass
class CounterPreferences:
    """The counter page of the settings (auto-confirm is for supervisors to set)."""

    auto_confirm: bool = False
    sounds: bool = True
    text_scale: int = 100


@dataclass
class CounterServices:
    """What the counter needs, built by ``merchant_pos.app``; nothing global."""

    redemptions: RedemptionService
    operators: OperatorRegistry
    profile: MerchantProfile
    labels: Labels
    language: str = "zh_CN"
    sync: Any = None  # merchant_pos.sync.SyncEngine, when enrolled
    camera: Any = None  # merchant_pos.ui.scan_camera.CameraWorker, when a camera is set
    items: list[StandardItem] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)
    preferences: CounterPreferences = field(default_factory=CounterPreferences)
    feedback: Feedback | None = None  # default: SoundFeedback


@dataclass(frozen=True)
class PolicyRefusal:
    """The offline policy refused a new redemption (nothing was recorded)."""

    finding: Any  # merchant_pos.sync.offline_policy.PolicyFinding


def quick_item(cq: CartQuote, items: list[StandardItem]) -> StandardItem | None:
    """Canteen quick mode: the first standard item that a per-use entitlement of this code
    still covers (a meal a day, two check-ups a year). Money vouchers get no guess."""
    remaining = remaining_at(cq.code.claims, cq.at, cq.usage)
    for item in items:
        if any(item.cat in e.cat and e.unit is Unit.COUNT and remaining.get(e.id, 0) > 0
               for e in cq.code.claims.ent):
            return item
    return None
