"""A day with accepted, conflicting, voided, rejected and not-yet-uploaded redemptions,
reconciled against the real reference server (SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from merchant_pos.reports.daily import build_report
from merchant_pos.reports.reconcile import (
    Difference,
    reconcile_day,
    reconciled_state,
    server_fetcher,
)
from merchant_pos.server import admin
from merchant_pos.server.schema import redemptions
from tests.sync.world import BABY, PosDevice, ServerWorld

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _after(pos: PosDevice, at: int) -> None:
    """Wait until ``pos``'s (corrected) clock is past ``at``: strictly later redemptions."""
    while pos.clock.now() <= at:
        time.sleep(0.01)


def _kinds(diffs: tuple[Difference, ...]) -> set[tuple[str, str]]:
    return {(d.kind, d.redemption_id) for d in diffs}


def test_a_day_reconciles_to_the_redemption(world: ServerWorld,
                                           make_pos: Callable[..., PosDevice]) -> None:
    ours, other = make_pos("ours"), make_pos("other")
    ours.enroll(world.url, world.enrollment_code())
    other.enroll(world.url, world.enrollment_code())
    assert ours.engine.sync_now().ok and other.engine.sync_now().ok
    fetch = server_fetcher(ours.ledger, ours.tokens, page_size=2)  # several pages

    food = world.beneficiary_code()
    accepted = ours.redeem(food, 1200)
    voided = ours.redeem(food, 800)
    ours.service.void(voided, void_id=str(uuid.uuid4()), supervisor_name="店长",
                      supervisor_pin="2468", reason="顾客退货")
    revoked_sub = admin.add_beneficiary(world.engine, program_id="food-2026", name="李四",
                                        now=int(time.time()) - 7200)
    revoked_code = admin.issue_beneficiary_code(world.engine, revoked_sub,
                                                now=int(time.time()) - 7200).text
    rejected = ours.redeem(revoked_code, 500)
    admin.revoke_beneficiary(world.engine, revoked_sub, reason="test",
                             now=int(time.time()) - 3600)  # revoked before it was redeemed
    baby = world.beneficiary_code(BABY)
    earlier = other.redeem(baby, 5000, "formula")  # not synced yet: the server will learn late
    _after(ours, other.service.receipt(earlier).at)  # type: ignore[union-attr]
    contested = ours.redeem(baby, 5000, "formula")
    assert ours.engine.sync_now().ok
    assert ours.local_statuses()[rejected] == "rejected"
    not_uploaded = ours.redeem(food, 300)
    day = datetime.fromtimestamp(time.time(), SHANGHAI).date()

    result = reconcile_day(ours.ledger, day, fetch, now=int(time.time()))
    assert _kinds(result.differences) == {("missing_on_server", not_uploaded)}
    assert "请同步" in result.differences[0].message("zh_CN")
    assert reconciled_state(ours.ledger, day) == "differences"

    assert ours.engine.sync_now().ok
    result = reconcile_day(ours.ledger, day, fetch, now=int(time.time()))
    assert result.reconciled and reconciled_state(ours.ledger, day) == "reconciled"
    report = build_report(ours.ledger, day)
    assert {s: t.count for s, t in report.by_status.items() if t.count} == {
        "accepted": 3, "voided": 1, "rejected": 1}
    assert report.totals.reimbursable == 1200 + 5000 + 300

    # The other counter's earlier redemption arrives: ours becomes the conflict. Until we
    # sync we do not know; after the sync the reconciled day shows as changed.
    assert other.engine.sync_now().ok
    assert reconciled_state(ours.ledger, day) == "reconciled"
    assert ours.engine.sync_now().ok
    assert ours.local_statuses()[contested] == "conflict"
    assert reconciled_state(ours.ledger, day) == "changed"
    result = reconcile_day(ours.ledger, day, fetch, now=int(time.time()))
    assert result.reconciled
    report = build_report(ours.ledger, day)
    assert report.by_status["conflict"].count == 1
    # For the conflict the foundation owes what its own quote covered (as the server keeps it).
    with world.engine.connect() as conn:
        quote_covered = conn.scalar(select(redemptions.c.quote_covered)
                                    .where(redemptions.c.uuid == contested))
    assert quote_covered is not None
    assert report.owed[contested] == quote_covered and report.totals.awaiting == 0
    assert report.totals.reimbursable == 1200 + 300 + quote_covered
    assert earlier not in report.owed

    # Someone edits the till's file: an amount changed, a redemption deleted.
    with sqlite3.connect(ours.ledger.path) as db:
        db.execute("UPDATE redemptions SET covered = 1100 WHERE id = ?", (accepted,))
        for table, column in (("outbox", "redemption_id"), ("redemption_lines", "redemption_id"),
                              ("redemption_draws", "redemption_id"), ("voids", "redemption_id"),
                              ("redemptions", "id")):
            db.execute(f"DELETE FROM {table} WHERE {column} = ?", (voided,))
    assert reconciled_state(ours.ledger, day) == "changed"
    result = reconcile_day(ours.ledger, day, fetch, now=int(time.time()))
    assert _kinds(result.differences) == {("amount_differs", accepted), ("not_here", voided)}


def test_a_day_without_redemptions_reconciles_and_an_unknown_day_is_unchecked(
        world: ServerWorld, make_pos: Callable[..., PosDevice]) -> None:
    pos = make_pos()
    pos.enroll(world.url, world.enrollment_code())
    day = date(2026, 1, 1)
    assert reconciled_state(pos.ledger, day) == "unchecked"
    result = reconcile_day(pos.ledger, day, server_fetcher(pos.ledger, pos.tokens), now=0)
    assert result.reconciled and reconciled_state(pos.ledger, day) == "reconciled"
