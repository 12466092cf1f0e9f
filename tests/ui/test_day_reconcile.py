"""After a sync the counter reconciles its day with the server's list by itself (the
embedded demo server, a real window): the records screen says reconciled, and after the
till's file is edited it names the redemption that differs and what to do."""

from __future__ import annotations

import sqlite3
from datetime import date

from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from merchant_pos.domain.quote import CartLine
from merchant_pos.reports.after_sync import AfterSyncReconciler
from merchant_pos.reports.reconcile import reconciled_state
from merchant_pos.sync.report import SyncReport
from merchant_pos.ui.day_reconcile import attach_reconciler
from tests.ui.counter_world import Counter


def test_a_sync_reconciles_the_day_and_the_records_name_a_difference(
        baby_shop: Counter, qtbot: QtBot) -> None:
    c, w = baby_shop, baby_shop.window
    hook = attach_reconciler(w)
    assert hook is not None
    (code,) = c.new_codes(1, "RECON")
    c.scan_and_wait(code)
    w.add_line(CartLine("formula", 6900))
    qtbot.waitUntil(lambda: w.cart.quote is not None, timeout=15_000)
    with qtbot.waitSignal(w.redeemed, timeout=15_000) as sig:
        w.confirm_redemption()
    receipt = sig.args[0]
    ledger = w.services.redemptions.ledger
    day = hook.reconciler.days()[-1]
    assert reconciled_state(ledger, day) == "unchecked"

    with qtbot.waitSignal(hook.reconciled, timeout=30_000) as done:
        w.status.sync_now()
    assert [r.reconciled for r in done.args[0]] == [True, True]
    assert [r.day for r in done.args[0]][-1] == day
    assert reconciled_state(ledger, day) == "reconciled"
    records = w.open_records()
    records.day.setDate(QDate(day.year, day.month, day.day))
    qtbot.waitUntil(lambda: "reconciled with the foundation" in records.summary.text(),
                    timeout=15_000)
    records.close()

    with sqlite3.connect(ledger.path) as db:  # someone edits the till's file
        db.execute("UPDATE redemptions SET covered = covered - 100 WHERE id = ?",
                   (receipt.redemption_id,))
    assert reconciled_state(ledger, day) == "changed"
    records = w.open_records()
    records.day.setDate(QDate(day.year, day.month, day.day))
    qtbot.waitUntil(lambda: receipt.receipt_no in records.flagged.text(), timeout=15_000)
    assert "changed since reconciled" in records.summary.text()
    records.close()


def test_reconciliation_runs_after_a_sync_that_delivered_or_when_it_is_old() -> None:
    now = [1_770_692_400.0]
    r = AfterSyncReconciler(None, lambda d: [], "Asia/Shanghai",  # type: ignore[arg-type]
                            clock=lambda: now[0], min_interval=300)
    quiet, delivered = SyncReport(started_at=0), SyncReport(started_at=0, pushed=2)
    failed = SyncReport(started_at=0, cancelled=True)
    assert r.due(quiet) and not r.due(failed)  # never checked yet
    r.last = now[0]
    assert not r.due(quiet) and r.due(delivered)
    now[0] += 300
    assert r.due(quiet)
    assert r.days() == [date(2026, 2, 9), date(2026, 2, 10)]  # 11:00 in Shanghai
