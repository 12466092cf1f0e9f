"""The operator's short undo is a ledger rule: own, latest, within seconds, before a scan."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from merchant_pos.domain import CartLine
from merchant_pos.store import LedgerError, LedgerErrorId, RedemptionStatus
from merchant_pos.store.models import AuditRow, OutboxRow
from merchant_pos.store.undo import UNDO_SECONDS, UndoService
from tests.store.conftest import Counter
from tests.support.codes import claims, make_code


def _redeem(counter: Counter, sub: str, undo: UndoService) -> str:
    undo.note_scan()
    rid = str(uuid.uuid4())
    counter.service.redeem(rid, make_code(counter.key, claims(sub=sub)),
                           [CartLine("formula", 3000)], counter.cashier)
    return rid


def _refused(counter: Counter, undo: UndoService, rid: str, why: str) -> None:
    with pytest.raises(LedgerError) as err:
        undo.undo(rid, counter.cashier)
    assert err.value.error is LedgerErrorId.UNDO_NOT_ALLOWED
    assert why in err.value.detail
    assert counter.service.receipt(rid).status is RedemptionStatus.PENDING  # type: ignore


def test_undo_voids_the_last_redemption_and_audits_it(counter: Counter) -> None:
    undo = UndoService(counter.ledger)
    rid = _redeem(counter, "B-UNDO-1", undo)
    counter.clock.advance(UNDO_SECONDS)
    record = undo.undo(rid, counter.cashier)
    assert counter.service.receipt(rid).status is RedemptionStatus.VOIDED  # type: ignore
    with counter.ledger.read() as s:
        kinds = [row.kind for row in s.scalars(select(OutboxRow))]
        audit = [row.payload for row in s.scalars(select(AuditRow))]
    assert kinds == ["redemption", "void"]
    assert '"undo":true' in audit[-1] and record.void_id in audit[-1]
    with pytest.raises(LedgerError):
        undo.undo(rid, counter.cashier)  # once only


def test_undo_too_late(counter: Counter) -> None:
    undo = UndoService(counter.ledger)
    rid = _redeem(counter, "B-UNDO-2", undo)
    counter.clock.advance(UNDO_SECONDS + 1)
    _refused(counter, undo, rid, "after it was recorded")


def test_undo_after_the_next_scan(counter: Counter) -> None:
    undo = UndoService(counter.ledger)
    rid = _redeem(counter, "B-UNDO-3", undo)
    undo.note_scan()
    _refused(counter, undo, rid, "scanned since")


def test_undo_only_the_latest_and_only_ones_own(counter: Counter) -> None:
    undo = UndoService(counter.ledger)
    first = _redeem(counter, "B-UNDO-4", undo)
    second = _redeem(counter, "B-UNDO-5", undo)
    _refused(counter, undo, first, "not the latest")
    boss = counter.operators.sign_in("王主管", "9999")
    with pytest.raises(LedgerError) as err:
        undo.undo(second, boss)
    assert "another operator" in err.value.detail


def test_a_scan_marks_the_redemptions_before_it(counter: Counter) -> None:
    undo = UndoService(counter.ledger)
    rid = str(uuid.uuid4())
    counter.service.redeem(rid, make_code(counter.key, claims(sub="B-UNDO-6")),
                           [CartLine("formula", 3000)], counter.cashier)
    undo.note_scan()  # a code read after it, never one before: no second write per sale
    _refused(counter, undo, rid, "scanned since")
    later = _redeem(counter, "B-UNDO-7", undo)  # its scan came before it: undoable
    undo.undo(later, counter.cashier)
