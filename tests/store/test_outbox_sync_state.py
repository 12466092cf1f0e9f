"""The outbox as the sync engine uses it; cursors, freshness, reference data storage."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from merchant_pos.domain import CartLine, TrustList
from merchant_pos.store import (
    CategoryInfo,
    MerchantSettingsStore,
    OutboxKind,
    ProgramInfo,
    PushOutcome,
    PushResult,
    RedemptionOutbox,
    RedemptionStatus,
    ServerUsage,
    SyncKind,
    SyncStateStore,
    TrustStore,
    UsageLedger,
)
from merchant_pos.store.models import AuditRow
from tests.store.conftest import BABY_SHOP, Counter
from tests.support.codes import issuer_key, make_code

LINES = [CartLine("formula", 1000)]


def redeem_n(counter: Counter, n: int) -> list[str]:
    code = make_code(counter.key)
    ids = [str(uuid.uuid4()) for _ in range(n)]
    for rid in ids:
        counter.service.redeem(rid, code, LINES, counter.cashier)
    return ids


def test_pending_in_creation_order_with_frozen_payloads(counter: Counter) -> None:
    ids = redeem_n(counter, 4)
    outbox = RedemptionOutbox(counter.ledger)
    items = outbox.pending(limit=3)
    assert [i.entry_id for i in items] == ids[:3]
    assert [i.seq for i in items] == sorted(i.seq for i in items)
    rest = outbox.pending(limit=10, after_seq=items[-1].seq)
    assert [i.entry_id for i in rest] == ids[3:]
    assert all(i.kind is OutboxKind.REDEMPTION and i.status is RedemptionStatus.PENDING
               for i in items)
    again = outbox.entry(ids[0])
    assert again is not None and again.payload == items[0].payload  # same bytes each retry


def test_attempts_and_errors_are_counted(counter: Counter) -> None:
    ids = redeem_n(counter, 2)
    outbox = RedemptionOutbox(counter.ledger)
    outbox.record_attempt(ids, error="timeout")
    outbox.record_attempt(ids[:1], error="connection reset")
    first, second = (outbox.entry(i) for i in ids)
    assert first is not None and second is not None
    assert (first.attempts, second.attempts) == (2, 1)
    state = SyncStateStore(counter.ledger).state(SyncKind.PUSH)
    assert state.last_error == "connection reset" and state.last_attempt_at == counter.clock.now


def test_server_results_move_statuses_and_are_audited(counter: Counter) -> None:
    ids = redeem_n(counter, 4)
    voided = ids[3]
    counter.service.void(voided, void_id=str(uuid.uuid4()), supervisor_name="王主管",
                         supervisor_pin="9999", reason="错单")
    outbox = RedemptionOutbox(counter.ledger)
    assert outbox.unsynced_covered_total() == 3000  # the voided one no longer counts
    applied = outbox.apply_results([
        PushResult(ids[0], PushOutcome.ACCEPTED),
        PushResult(ids[1], PushOutcome.DUPLICATE),
        PushResult(ids[2], PushOutcome.CONFLICT, "exceeds v1 limit for the period"),
        PushResult(voided, PushOutcome.ACCEPTED),
        PushResult("not-ours", PushOutcome.ACCEPTED),
    ])
    assert applied.applied == 4 and applied.unknown == ("not-ours",)
    statuses = [counter.service.receipt(i).status for i in ids]  # type: ignore[union-attr]
    assert statuses == [RedemptionStatus.ACCEPTED, RedemptionStatus.ACCEPTED,
                        RedemptionStatus.CONFLICT, RedemptionStatus.VOIDED]
    assert outbox.flagged_redemptions() == [(ids[2], "conflict",
                                              "exceeds v1 limit for the period")]
    assert outbox.status_counts() == {"accepted": 3, "conflict": 1, "pending": 1}
    assert [i.kind for i in outbox.pending()] == [OutboxKind.VOID]
    assert outbox.unsynced_covered_total() == 0
    with counter.ledger.read() as s:
        last = s.scalars(select(AuditRow).order_by(AuditRow.seq.desc())).first()
    assert last is not None and last.kind == "sync_result"
    assert '"duplicate":1' in last.payload and '"conflict":1' in last.payload
    assert counter.ledger.verify_audit().ok


def test_rejected_redemption_no_longer_draws(counter: Counter) -> None:
    code = make_code(counter.key)
    big = [CartLine("formula", 20000)]
    first = counter.service.redeem(str(uuid.uuid4()), code, big, counter.cashier)
    assert counter.service.quote(code, big).covered == 0
    RedemptionOutbox(counter.ledger).apply_results(
        [PushResult(first.redemption_id, PushOutcome.REJECTED, "revoked before redemption")])
    assert counter.service.quote(code, big).covered == 20000


def test_usage_page_and_cursor_are_one_transaction(counter: Counter) -> None:
    usage, state = UsageLedger(counter.ledger), SyncStateStore(counter.ledger)
    assert state.cursor(SyncKind.USAGE) is None
    rec = ServerUsage("srv-1", "demo-foundation", "B-X", "v1", 5000, 0, counter.clock.now)
    usage.apply_usage_page([rec], cursor="c-1")
    assert state.cursor(SyncKind.USAGE) == "c-1"
    assert state.last_fresh(SyncKind.USAGE) == counter.clock.now
    with pytest.raises(IntegrityError):  # a bad row (amount NULL) aborts the whole page
        usage.apply_usage_page([rec, ServerUsage("srv-2", "demo-foundation", "B-X", "v2",
                                                 None, 0, 1)],  # type: ignore[arg-type]
                               cursor="c-2")
    assert state.cursor(SyncKind.USAGE) == "c-1"
    assert len(usage.usage("demo-foundation", "B-X")) == 1
    usage.apply_usage_page([ServerUsage("srv-1", "demo-foundation", "B-X", "v1", 0, 0, 0,
                                        voided=True)], cursor="c-3")
    assert usage.usage("demo-foundation", "B-X") == []


def test_revocations_page_with_cursor_and_lifting(counter: Counter) -> None:
    trust = TrustStore(counter.ledger)
    trust.apply_revocations_page(revoked_cti=[b"\x01" * 12], revoked_sub=["B-BAD"], cursor="r1")
    revoked = trust.revocations()
    assert revoked.is_revoked(b"\x01" * 12, "x") and revoked.is_revoked(b"", "B-BAD")
    trust.apply_revocations_page(lifted_sub=["B-BAD"], cursor="r2")
    assert not trust.revocations().is_revoked(b"", "B-BAD")
    assert SyncStateStore(counter.ledger).cursor(SyncKind.REVOCATIONS) == "r2"


def test_trust_list_profile_programs_round_trip(counter: Counter) -> None:
    other = issuer_key(iss="other-foundation")
    TrustStore(counter.ledger).replace_trust_list(TrustList([other.trusted_key()]))
    stored = TrustStore(counter.ledger).trust_list()
    assert len(stored) == 1 and stored.to_json() == [other.trusted_key().to_json()]
    settings = MerchantSettingsStore(counter.ledger)
    assert settings.load_profile() == BABY_SHOP
    programs = [ProgramInfo("jss-baby-2023", "母婴券", "Baby vouchers", "Asia/Shanghai",
                            (CategoryInfo("formula", "奶粉", "Formula"),))]
    settings.save_programs(programs)
    assert settings.programs() == programs
    with counter.ledger.read() as s:
        kinds = s.scalars(select(AuditRow.kind)).all()
    assert kinds.count("settings_change") == 4


def test_settings_and_fresh_times(counter: Counter) -> None:
    state = SyncStateStore(counter.ledger)
    state.set_setting("clock_offset", -42)
    assert state.get_setting("clock_offset") == -42
    assert state.get_setting("missing", "dflt") == "dflt"
    state.mark_fresh(SyncKind.CONFIG)
    state.record_attempt(SyncKind.CONFIG, counter.clock.now + 5, "HTTP 503")
    got = {s.kind: s for s in state.all_states()}
    assert got["config"].last_fresh_at == counter.clock.now
    assert got["config"].last_error == "HTTP 503"
    assert got["trust"].last_fresh_at == counter.clock.now  # set by replace_trust_list
