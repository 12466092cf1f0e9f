"""The audit chain: every event hashed into the chain; each kind of tampering is named."""

from __future__ import annotations

import sqlite3
import uuid

import pytest
from sqlalchemy import select

from merchant_pos.domain import CartLine
from merchant_pos.store import Ledger
from merchant_pos.store.models import AuditRow
from tests.store.conftest import Counter
from tests.support.codes import make_code


@pytest.fixture
def busy(counter: Counter) -> Counter:
    """A ledger with a few of every kind of event."""
    code = make_code(counter.key)
    for _ in range(3):
        counter.service.redeem(str(uuid.uuid4()), code, [CartLine("formula", 1000)],
                               counter.cashier)
    counter.ledger.close()  # the tests below edit the file behind the ledger's back
    return counter


def raw(ledger: Ledger) -> sqlite3.Connection:
    return sqlite3.connect(ledger.path, isolation_level=None)


def kinds(ledger: Ledger) -> list[str]:
    with ledger.read() as s:
        return list(s.scalars(select(AuditRow.kind).order_by(AuditRow.seq)).all())


def test_events_are_chained_and_verify(busy: Counter) -> None:
    assert kinds(busy.ledger) == [
        "settings_change", "settings_change", "operator_created", "sign_in",
        "operator_created", "sign_in", "redemption", "redemption", "redemption"]
    result = busy.ledger.verify_audit()
    assert result.ok and result.rows_checked == 9
    assert "9" in result.message("zh_CN") and "intact" in result.message("en")


def test_editing_a_row_is_detected(busy: Counter) -> None:
    raw(busy.ledger).execute(
        "UPDATE audit_log SET payload = replace(payload, '1000', '9000') WHERE seq = 7")
    result = busy.ledger.verify_audit()
    assert not result.ok and result.first_bad_seq == 7
    assert "7" in result.message("en") and "7" in result.message("zh_CN")


def test_editing_a_row_and_its_hash_breaks_the_next_link(busy: Counter) -> None:
    db = raw(busy.ledger)
    db.execute("UPDATE audit_log SET kind = 'sign_in', hash = ? WHERE seq = 5", ("ab" * 32,))
    result = busy.ledger.verify_audit()
    assert not result.ok and result.first_bad_seq == 5


def test_deleting_a_row_is_detected(busy: Counter) -> None:
    raw(busy.ledger).execute("DELETE FROM audit_log WHERE seq = 4")
    result = busy.ledger.verify_audit()
    assert not result.ok and result.first_bad_seq == 4


def test_deleting_the_first_row_is_detected(busy: Counter) -> None:
    raw(busy.ledger).execute("DELETE FROM audit_log WHERE seq = 1")
    result = busy.ledger.verify_audit()
    assert not result.ok and result.first_bad_seq == 1


def test_reordering_rows_is_detected(busy: Counter) -> None:
    db = raw(busy.ledger)
    db.execute("BEGIN")
    db.execute("UPDATE audit_log SET seq = -1 WHERE seq = 6")
    db.execute("UPDATE audit_log SET seq = 6 WHERE seq = 7")
    db.execute("UPDATE audit_log SET seq = 7 WHERE seq = -1")
    db.execute("COMMIT")
    result = busy.ledger.verify_audit()
    assert not result.ok and result.first_bad_seq == 6


def test_truncating_the_tail_is_detected(busy: Counter) -> None:
    raw(busy.ledger).execute("DELETE FROM audit_log WHERE seq >= 8")
    result = busy.ledger.verify_audit()
    assert not result.ok and result.first_bad_seq == 8
    assert "truncated" in result.problem


def test_the_head_moves_with_every_append(counter: Counter) -> None:
    head = counter.ledger.audit_head()
    counter.service.redeem(str(uuid.uuid4()), make_code(counter.key),
                           [CartLine("formula", 100)], counter.cashier)
    new = counter.ledger.audit_head()
    assert new.seq == head.seq + 1 and new.hash != head.hash
