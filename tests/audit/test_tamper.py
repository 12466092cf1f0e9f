"""Tampering with copies of a real synced ledger: each caught by ``audit verify``.

The tamperer has the file (plain sqlite3, triggers dropped) but not the device
secret, unless a test says so. A negative control proves an untouched copy is
intact, so the suite can tell the two apart.
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from merchant_pos.cli import main
from merchant_pos.store.audit_books import check_books
from tests.audit.conftest import (
    CASHIER,
    SyncedLedger,
    audit_seq_of,
    raw,
    rechain,
    secret_of,
    verify,
)


def test_negative_control_an_untouched_copy_is_intact(synced: SyncedLedger,
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    ok, findings, message = verify(synced.folder)
    assert ok and findings == set(), message
    assert main(["audit", "verify", "--data-dir", str(synced.folder), "--lang", "en"]) == 0
    assert "intact" in capsys.readouterr().out


def test_the_head_trigger_refuses_moving_back_in_place(synced: SyncedLedger) -> None:
    db = sqlite3.connect(synced.folder / "ledger.sqlite3", isolation_level=None)
    with pytest.raises(sqlite3.IntegrityError, match="only forward"):
        db.execute("UPDATE audit_head SET seq = seq - 1")
    with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
        db.execute("DELETE FROM audit_head")


def test_truncating_the_tail_and_moving_the_head(synced: SyncedLedger) -> None:
    db = raw(synced.folder)
    cut = audit_seq_of(db, "redemption", synced.pending[1])
    db.execute("DELETE FROM audit_log WHERE seq >= ?", (cut,))
    last = db.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    db.execute("UPDATE audit_head SET seq = ?, hash = ?", last)
    ok, findings, _ = verify(synced.folder)
    assert not ok and {"redemption_not_audited", "void_not_audited",
                       "outbox_not_audited"} <= findings


def test_deleting_every_audit_row_and_the_head(synced: SyncedLedger) -> None:
    db = raw(synced.folder)
    db.execute("DELETE FROM audit_log")
    db.execute("DELETE FROM audit_head")
    ok, findings, message = verify(synced.folder)
    assert not ok and {"redemption_not_audited", "operator_not_audited"} <= findings
    assert "has no audit entry" in message


@pytest.mark.parametrize("what", ["edit_payload", "delete_middle_and_renumber", "append"])
def test_recomputing_the_chain_without_the_device_secret(synced: SyncedLedger,
                                                         what: str) -> None:
    db = raw(synced.folder)
    if what == "edit_payload":
        seq = audit_seq_of(db, "redemption", synced.synced[0])
        db.execute("UPDATE audit_log SET payload = replace(payload, '\"covered\":100', "
                   "'\"covered\":1000') WHERE seq = ?", (seq,))
        db.execute("UPDATE redemptions SET covered = 1000 WHERE id = ?", (synced.synced[0],))
    elif what == "delete_middle_and_renumber":
        middle = db.execute("SELECT seq FROM audit_log WHERE kind = 'sign_in_failed' "
                            "LIMIT 1").fetchone()[0]
        db.execute("DELETE FROM audit_log WHERE seq = ?", (middle,))
    else:
        head = db.execute("SELECT max(seq), max(at) FROM audit_log").fetchone()
        db.execute("INSERT INTO audit_log VALUES (?, ?, 'lockout_reset', NULL, "
                   "'{\"operator\":2}', '', '')", (head[0] + 1, head[1]))
    rechain(db, None, renumber=what == "delete_middle_and_renumber")  # plain SHA-256
    ok, findings, _ = verify(synced.folder)
    assert not ok and "hash_mismatch" in findings


def test_recomputing_with_the_secret_still_fails_the_books(synced: SyncedLedger) -> None:
    """Who holds the keyring can relink, but an audit row changed alone disagrees with the
    tables (and the server holds the anchored rows: tests/audit/test_anchor.py)."""
    db = raw(synced.folder)
    seq = audit_seq_of(db, "redemption", synced.pending[1])
    db.execute("UPDATE audit_log SET payload = replace(payload, '\"covered\":201', "
               "'\"covered\":2010') WHERE seq = ?", (seq,))
    rechain(db, secret_of(synced.folder))
    ok, findings, _ = verify(synced.folder)
    assert not ok and findings == {"redemption_differs", "outbox_differs"}


def test_deleting_a_redemption_with_its_lines_draws_and_outbox_entry(
        synced: SyncedLedger) -> None:
    rid = synced.pending[2]
    db = raw(synced.folder)
    for table, column in (("redemption_lines", "redemption_id"),
                          ("redemption_draws", "redemption_id"), ("outbox", "redemption_id"),
                          ("redemptions", "id")):
        db.execute(f"DELETE FROM {table} WHERE {column} = ?", (rid,))
    ok, findings, _ = verify(synced.folder)
    # The usage totals still count the deleted draws: that shows too (issue 14).
    assert not ok and findings == {"audited_redemption_missing", "outbox_entry_missing",
                                   "usage_totals_differ"}


def test_multiplying_covered_by_ten(synced: SyncedLedger) -> None:
    rid = synced.pending[1]
    db = raw(synced.folder)
    db.execute("UPDATE redemptions SET covered = covered * 10, total = total * 10 "
               "WHERE id = ?", (rid,))
    db.execute("UPDATE redemption_lines SET covered = covered * 10, amount = amount * 10 "
               "WHERE redemption_id = ?", (rid,))
    body = json.loads(db.execute("SELECT payload FROM outbox WHERE entry_id = ?",
                                 (rid,)).fetchone()[0])
    body["covered"] *= 10
    body["total"] *= 10
    db.execute("UPDATE outbox SET payload = ? WHERE entry_id = ?", (json.dumps(body), rid))
    ok, findings, _ = verify(synced.folder)
    assert not ok and {"redemption_differs", "outbox_differs"} <= findings


@pytest.mark.parametrize("which", ["synced", "pending"])
def test_undoing_a_void(synced: SyncedLedger, which: str) -> None:
    rid = synced.voided if which == "synced" else synced.pending_void
    db = raw(synced.folder)
    void_id = db.execute("SELECT id FROM voids WHERE redemption_id = ?", (rid,)).fetchone()[0]
    db.execute("DELETE FROM outbox WHERE entry_id = ?", (void_id,))
    db.execute("DELETE FROM voids WHERE id = ?", (void_id,))
    db.execute("UPDATE redemptions SET status = 'accepted', voided_at = NULL WHERE id = ?",
               (rid,))
    ok, findings, _ = verify(synced.folder)
    assert not ok and "audited_void_missing" in findings


def test_marking_a_redemption_voided_without_a_void(synced: SyncedLedger) -> None:
    db = raw(synced.folder)
    db.execute("UPDATE redemptions SET status = 'voided' WHERE id = ?", (synced.synced[0],))
    ok, findings, _ = verify(synced.folder)
    # Its draws no longer count, but the usage totals still hold them (issue 14).
    assert not ok and findings == {"void_status_differs", "usage_totals_differ"}


@pytest.mark.parametrize("tamper", [
    "UPDATE operators SET failed_attempts = 0 WHERE name = ?",
    "UPDATE operators SET role = 'supervisor' WHERE name = ?",
    "UPDATE operators SET locked_until = 1 WHERE name = ?",
    "UPDATE operators SET active = 0 WHERE name = ?",
])
def test_changing_an_operators_rights_or_pin_failures(synced: SyncedLedger,
                                                      tamper: str) -> None:
    raw(synced.folder).execute(tamper, (CASHIER,))
    ok, findings, message = verify(synced.folder)
    assert not ok and findings == {"operator_differs"}
    assert CASHIER in message


def test_adding_an_operator_behind_the_programs_back(synced: SyncedLedger) -> None:
    db = raw(synced.folder)
    pin_hash = db.execute("SELECT pin_hash FROM operators LIMIT 1").fetchone()[0]
    db.execute("INSERT INTO operators (name, role, pin_hash, failed_attempts, active, "
               "created_at) VALUES ('黑客', 'supervisor', ?, 0, 1, 0)", (pin_hash,))
    ok, findings, _ = verify(synced.folder)
    assert not ok and findings == {"operator_not_audited"}


def test_widening_what_the_counter_may_redeem(synced: SyncedLedger) -> None:
    raw(synced.folder).execute("UPDATE merchant_profile SET categories_json = "
                               "'[\"food\", \"formula\", \"alcohol\"]'")
    ok, findings, message = verify(synced.folder)
    assert not ok and findings == {"profile_differs"} and "categories" in message


def test_a_new_device_secret_breaks_every_link(synced: SyncedLedger) -> None:
    (synced.folder / "credentials" / "device-secret").write_text("ab" * 32)
    ok, findings, _ = verify(synced.folder)
    assert not ok and "hash_mismatch" in findings


def test_a_chain_put_back_unkeyed_is_not_re_keyed(synced: SyncedLedger) -> None:
    """The one-time re-keying of an upgraded chain is not a laundry: with the secret
    already there, a chain marked unkeyed and relinked with plain SHA-256 stays reported."""
    db = raw(synced.folder)
    seq = audit_seq_of(db, "redemption", synced.synced[0])
    db.execute("UPDATE audit_log SET payload = replace(payload, '\"covered\":100', "
               "'\"covered\":1') WHERE seq = ?", (seq,))
    db.execute("UPDATE redemptions SET covered = 1 WHERE id = ?", (synced.synced[0],))
    db.execute("UPDATE redemption_lines SET covered = 1 WHERE redemption_id = ?",
               (synced.synced[0],))
    rechain(db, None)
    db.execute("UPDATE audit_head SET keyed = 0")
    ok, findings, _ = verify(synced.folder)
    assert not ok and {"not_keyed", "hash_mismatch"} <= findings


def test_the_books_check_reads_the_file_alone(synced: SyncedLedger) -> None:
    """check_books needs no secret: support can run it on a copy without the keyring."""
    db = raw(synced.folder)
    assert check_books(db) == []
    db.execute("DELETE FROM voids")
    assert check_books(db)
