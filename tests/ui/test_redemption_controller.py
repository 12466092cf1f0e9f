"""The confirm / result / undo flow: one ledger write per sale, and the ledger's order of
scan and sale kept by events (a slow scan note delays the save, never the undo rule)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from merchant_pos.store import RedemptionStatus
from merchant_pos.store.undo import UndoService
from tests.support.codes import claims, make_code
from tests.ui.conftest import Shop
from tests.ui.test_counter_window import _add, _scan


@pytest.fixture
def slow_note(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Noting a scan waits until the test lets it go (a slow disk, made deterministic)."""
    go, real = threading.Event(), UndoService.note_scan

    def note_scan(self: UndoService) -> int:
        assert go.wait(15)
        return real(self)

    monkeypatch.setattr(UndoService, "note_scan", note_scan)
    yield go
    go.set()


def test_the_save_waits_for_its_scan_to_be_noted_so_the_undo_holds(
        shop: Shop, qtbot: QtBot, slow_note: threading.Event) -> None:
    w = shop.window
    _scan(shop, qtbot, make_code(shop.key, claims(sub="B-NOTE-1")))  # the quote runs at once
    _add(shop, qtbot, "formula", "30")
    w.confirm_redemption()
    qtbot.wait(200)
    assert shop.service.recent() == [] and w._busy  # not before its scan is noted
    with qtbot.waitSignal(w.redeemed, timeout=10_000) as sig:
        slow_note.set()
    rid = sig.args[0].redemption_id
    assert w.banner.kind == "accepted" and w.undo_offered()
    with qtbot.waitSignal(w.undone, timeout=10_000):
        w.undo_last()  # the ledger agrees: no scan after this sale
    assert shop.service.receipt(rid).status is RedemptionStatus.VOIDED  # type: ignore
