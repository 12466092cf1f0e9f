"""The redemption service: quote a cart from the ledger, redeem it atomically, void it.

``redeem`` runs inside one ``BEGIN IMMEDIATE`` transaction: it re-reads the
usage and re-runs the quote under the write lock, then inserts the redemption,
its lines and draws, its outbox entry and its audit entry, and commits. Only
a committed redemption is reported. The same redemption id twice records once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from merchant_pos.domain.claims import zone
from merchant_pos.domain.quote import CartLine, Quote, QuoteInputError, UsageRecord, quote
from merchant_pos.domain.trust import RevocationList, TrustList
from merchant_pos.domain.verify import VerifiedCode, verify
from merchant_pos.store.audit import AuditKind, canonical_json
from merchant_pos.store.errors import LedgerError, LedgerErrorId
from merchant_pos.store.ledger import Ledger
from merchant_pos.store.models import (
    CounterRow,
    OutboxKind,
    OutboxRow,
    RedemptionDrawRow,
    RedemptionLineRow,
    RedemptionRow,
    RedemptionStatus,
    VoidRow,
)
from merchant_pos.store.operators import OperatorRegistry, OperatorSession
from merchant_pos.store.reference import (
    MerchantProfile,
    MerchantSettingsStore,
    TrustStore,
    reference_version,
)
from merchant_pos.store.usage import usage_for

RECEIPT_COUNTER = "receipt"


@dataclass(frozen=True, slots=True)
class CartQuote:
    """What the clerk sees before confirming: the verified code and the quote."""

    code: VerifiedCode
    quote: Quote
    at: int
    usage: tuple[UsageRecord, ...]

    @property
    def covered(self) -> int:
        return self.quote.covered

    @property
    def pays(self) -> int:
        return self.quote.pays

    @property
    def masked_name(self) -> str | None:
        return self.code.claims.nm


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    cat: str
    amount: int
    qty: int
    covered: int


@dataclass(frozen=True, slots=True)
class Receipt:
    """A redemption as recorded. ``already_recorded``: this call found it, did not add it."""

    redemption_id: str
    receipt_no: str
    at: int
    operator_id: int
    sub: str
    masked_name: str | None
    total: int
    covered: int
    pays: int
    status: RedemptionStatus
    lines: tuple[ReceiptLine, ...]
    already_recorded: bool = False


@dataclass(frozen=True, slots=True)
class VoidRecord:
    void_id: str
    redemption_id: str
    supervisor_id: int
    reason: str
    at: int
    already_recorded: bool = False


@dataclass(frozen=True, slots=True)
class _Reference:
    version: int
    trust: TrustList
    revoked: RevocationList
    profile: MerchantProfile


class RedemptionService:
    """Quotes and redemptions for one device. Thread-safe as far as the ledger is."""

    def __init__(self, ledger: Ledger, operators: OperatorRegistry) -> None:
        self.ledger = ledger
        self.operators = operators
        self._reference: _Reference | None = None

    # -- reference data, cached until the reference counter moves ----------------------
    def _reference_in(self, session: Session) -> _Reference:
        version = reference_version(session)
        cached = self._reference
        if cached is not None and cached.version == version:
            return cached
        profile = MerchantSettingsStore.profile_in(session)
        if profile is None:
            raise LedgerError(LedgerErrorId.NOT_CONFIGURED)
        ref = _Reference(version, TrustStore.trust_list_in(session),
                         TrustStore.revocations_in(session), profile)
        self._reference = ref
        return ref

    def _verify_and_quote(self, session: Session, code_text: str, cart: Sequence[CartLine],
                          now: int) -> CartQuote:
        ref = self._reference_in(session)
        lines = _checked_cart(cart, allow_empty=True)
        code = verify(code_text, ref.trust, now, revoked=ref.revoked,
                      programs=ref.profile.programs)
        refused = sorted({line.cat for line in lines} - set(ref.profile.categories))
        if refused:
            raise LedgerError(LedgerErrorId.CATEGORY_NOT_ALLOWED, ",".join(refused),
                              subject="、".join(refused))
        usage = usage_for(session, code.claims.iss, code.claims.sub)
        return CartQuote(code, quote(code.claims, now, lines, usage), now, tuple(usage))

    def quote(self, code_text: str, cart: Sequence[CartLine]) -> CartQuote:
        """Verify the code offline and quote ``cart`` against everything already drawn.

        Raises :class:`~merchant_pos.domain.errors.CodeRejected` for a bad code and
        :class:`LedgerError` for a cart this merchant may not redeem.
        """
        now = self.ledger.clock()
        with self.ledger.read() as session:
            return self._verify_and_quote(session, code_text, cart, now)

    def redeem(self, redemption_id: str, code_text: str, cart: Sequence[CartLine],
               operator: OperatorSession, *, expected_covered: int | None = None) -> Receipt:
        """Record the redemption exactly once; returns only after the commit.

        ``expected_covered`` is the covered total the clerk confirmed; if the
        quote under the write lock differs (another window, another device's
        usage just synced) QUOTE_CHANGED is raised and nothing is stored.
        """
        actor = operator.ensure_active()
        lines = _checked_cart(cart)
        with self.ledger.write() as session:
            existing = self._find(session, redemption_id)
            if existing is not None:
                return self._same_or_refuse(session, existing, code_text, lines)
            now = self.ledger.clock()
            cq = self._verify_and_quote(session, code_text, lines, now)
            q = cq.quote
            if expected_covered is not None and q.covered != expected_covered:
                raise LedgerError(LedgerErrorId.QUOTE_CHANGED,
                                  f"confirmed {expected_covered}, now {q.covered}")
            if q.covered == 0:
                raise LedgerError(LedgerErrorId.NOTHING_COVERED)
            profile = self._reference_in(session).profile
            receipt_no = f"{profile.device_id}-{_next_counter(session, RECEIPT_COUNTER):06d}"
            claims = cq.code.claims
            session.execute(insert(RedemptionRow), [{
                "id": redemption_id, "receipt_no": receipt_no, "device_id": profile.device_id,
                "operator_id": actor.id, "iss": claims.iss, "sub": claims.sub,
                "prg": claims.prg, "cti": claims.cti.hex(), "code_text": code_text,
                "created_at": now, "total": q.total, "covered": q.covered, "pays": q.pays,
                "status": RedemptionStatus.PENDING.value,
            }])
            session.execute(insert(RedemptionLineRow), [
                {"redemption_id": redemption_id, "line_no": i, "cat": lq.line.cat,
                 "amount": lq.line.amount, "qty": lq.line.qty, "covered": lq.covered}
                for i, lq in enumerate(q.lines)])
            draws = q.draws_by_entitlement()
            if draws:
                session.execute(insert(RedemptionDrawRow), [
                    {"redemption_id": redemption_id, "ent": ent, "iss": claims.iss,
                     "sub": claims.sub, "amount": fen, "units": units, "at": now}
                    for ent, (fen, units) in sorted(draws.items())])
            payload = {
                "type": OutboxKind.REDEMPTION.value, "id": redemption_id,
                "receipt_no": receipt_no, "merchant_id": profile.merchant_id,
                "device_id": profile.device_id, "operator_id": actor.id, "at": now,
                "code": code_text, "total": q.total, "covered": q.covered, "pays": q.pays,
                "lines": [{"cat": lq.line.cat, "amount": lq.line.amount, "qty": lq.line.qty,
                           **lq.to_json()} for lq in q.lines],
            }
            _enqueue(session, redemption_id, OutboxKind.REDEMPTION, redemption_id, payload, now)
            self.ledger.audit.append(session, at=now, kind=AuditKind.REDEMPTION,
                                     operator_id=actor.id, payload={
                                         "id": redemption_id, "receipt_no": receipt_no,
                                         "iss": claims.iss, "sub": claims.sub,
                                         "covered": q.covered, "pays": q.pays})
            return Receipt(redemption_id, receipt_no, now, actor.id, claims.sub, claims.nm,
                           q.total, q.covered, q.pays, RedemptionStatus.PENDING,
                           tuple(ReceiptLine(lq.line.cat, lq.line.amount, lq.line.qty,
                                             lq.covered) for lq in q.lines))

    def _find(self, session: Session, redemption_id: str) -> RedemptionRow | None:
        return session.get(RedemptionRow, redemption_id)

    def _same_or_refuse(self, session: Session, row: RedemptionRow, code_text: str,
                        lines: Sequence[CartLine]) -> Receipt:
        receipt = _receipt(session, row, already=True)
        same = row.code_text == code_text and [(ln.cat, ln.amount, ln.qty)
                                               for ln in receipt.lines] == [
            (ln.cat, ln.amount, ln.qty) for ln in lines]
        if not same:
            raise LedgerError(LedgerErrorId.ID_REUSED, row.id)
        return receipt

    def receipt(self, redemption_id: str) -> Receipt | None:
        with self.ledger.read() as session:
            row = self._find(session, redemption_id)
            return None if row is None else _receipt(session, row, already=True)

    def recent(self, limit: int = 50) -> list[Receipt]:
        with self.ledger.read() as session:
            rows = session.scalars(select(RedemptionRow)
                                   .order_by(RedemptionRow.created_at.desc(),
                                             RedemptionRow.receipt_no.desc())
                                   .limit(limit)).all()
            return [_receipt(session, r, already=True) for r in rows]

    # -- voids -------------------------------------------------------------------------
    def void(self, redemption_id: str, *, void_id: str, supervisor_name: str,
             supervisor_pin: str, reason: str) -> VoidRecord:
        """A supervisor voids a redemption of the same business day; idempotent by void id."""
        reason = reason.strip()
        if not reason:
            raise LedgerError(LedgerErrorId.VOID_REASON_REQUIRED)
        supervisor = self.operators.supervisor(supervisor_name, supervisor_pin)
        with self.ledger.write() as session:
            done = session.get(VoidRow, void_id)
            if done is not None:
                if done.redemption_id != redemption_id:
                    raise LedgerError(LedgerErrorId.ID_REUSED, void_id)
                return VoidRecord(done.id, done.redemption_id, done.supervisor_id,
                                  done.reason, done.created_at, already_recorded=True)
            row = self._find(session, redemption_id)
            if row is None:
                raise LedgerError(LedgerErrorId.UNKNOWN_REDEMPTION, redemption_id)
            if row.status == RedemptionStatus.VOIDED.value:
                raise LedgerError(LedgerErrorId.ALREADY_VOIDED, redemption_id)
            now = self.ledger.clock()
            tz = zone(self._reference_in(session).profile.time_zone)
            if datetime.fromtimestamp(row.created_at, tz).date() != \
                    datetime.fromtimestamp(now, tz).date():
                raise LedgerError(LedgerErrorId.VOID_TOO_LATE, redemption_id)
            session.execute(insert(VoidRow), [{
                "id": void_id, "redemption_id": redemption_id, "supervisor_id": supervisor.id,
                "reason": reason, "created_at": now}])
            session.execute(update(RedemptionRow).where(RedemptionRow.id == redemption_id)
                            .values(status=RedemptionStatus.VOIDED.value, voided_at=now))
            payload = {"type": OutboxKind.VOID.value, "id": void_id,
                       "redemption_id": redemption_id, "receipt_no": row.receipt_no,
                       "supervisor_id": supervisor.id, "reason": reason, "at": now}
            _enqueue(session, void_id, OutboxKind.VOID, redemption_id, payload, now)
            self.ledger.audit.append(session, at=now, kind=AuditKind.VOID,
                                     operator_id=supervisor.id, payload={
                                         "id": void_id, "redemption_id": redemption_id,
                                         "receipt_no": row.receipt_no, "reason": reason})
            return VoidRecord(void_id, redemption_id, supervisor.id, reason, now)


def _checked_cart(cart: Sequence[CartLine], *, allow_empty: bool = False) -> list[CartLine]:
    """Redemptions need 1-200 lines; a quote may be empty (a scan shows the balances)."""
    lines = list(cart)
    if (not lines and not allow_empty) or len(lines) > 200:
        raise LedgerError(LedgerErrorId.BAD_CART, "a cart has 1-200 lines")
    for line in lines:
        if not isinstance(line, CartLine):
            raise LedgerError(LedgerErrorId.BAD_CART, f"not a cart line: {line!r}")
        try:  # CartLine checks itself on construction; re-check in case it was bypassed
            CartLine(line.cat, line.amount, line.qty)
        except QuoteInputError as exc:
            raise LedgerError(LedgerErrorId.BAD_CART, str(exc)) from exc
    return lines


def _next_counter(session: Session, name: str) -> int:
    stmt = sqlite_insert(CounterRow).values(name=name, value=1)
    stmt = stmt.on_conflict_do_update(index_elements=["name"],
                                      set_={"value": CounterRow.value + 1})
    value = session.scalar(stmt.returning(CounterRow.value))
    assert value is not None
    return int(value)


def _enqueue(session: Session, entry_id: str, kind: OutboxKind, redemption_id: str,
             payload: dict[str, Any], now: int) -> None:
    session.execute(insert(OutboxRow), [{
        "entry_id": entry_id, "kind": kind.value, "redemption_id": redemption_id,
        "payload": canonical_json(payload), "status": RedemptionStatus.PENDING.value,
        "created_at": now, "attempts": 0}])


def _receipt(session: Session, row: RedemptionRow, already: bool) -> Receipt:
    lines = session.execute(
        select(RedemptionLineRow.cat, RedemptionLineRow.amount, RedemptionLineRow.qty,
               RedemptionLineRow.covered)
        .where(RedemptionLineRow.redemption_id == row.id)
        .order_by(RedemptionLineRow.line_no)).all()
    return Receipt(row.id, row.receipt_no, row.created_at, row.operator_id, row.sub, None,
                   row.total, row.covered, row.pays, RedemptionStatus(row.status),
                   tuple(ReceiptLine(*ln) for ln in lines), already_recorded=already)
