"""The redemption service: quote a cart from the ledger, redeem it atomically, void it.

``redeem`` runs inside one ``BEGIN IMMEDIATE`` transaction: it re-reads the
usage and re-runs the quote under the write lock, then inserts the redemption,
its lines and draws, its outbox entry and its audit entry, and commits. Only
a committed redemption is reported. The same redemption id twice records once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from merchant_pos.domain.limits import LEGACY_CART_LINES, Limits
from merchant_pos.domain.quote import CartLine, Quote, QuoteInputError, UsageRecord, quote
from merchant_pos.domain.trust import RevocationList, TrustList
from merchant_pos.domain.usage_totals import Shape
from merchant_pos.domain.verify import VerifiedCode
from merchant_pos.store.audit import AuditKind
from merchant_pos.store.business_day import same_business_day
from merchant_pos.store.engine import raw_connection, translated_errors
from merchant_pos.store.errors import LedgerError, LedgerErrorId
from merchant_pos.store.ledger import Ledger
from merchant_pos.store.limits import check_cart_limits, check_void_reason, limits_in
from merchant_pos.store.models import OutboxKind, RedemptionRow, RedemptionStatus, VoidRow
from merchant_pos.store.operators import OperatorRegistry, OperatorSession
from merchant_pos.store.receipt_numbers import device_number_in, format_receipt_no
from merchant_pos.store.receipt_snapshot import (
    ReceiptSnapshot,
    code_digest,
    receipt_fields,
    snapshot_after,
)
from merchant_pos.store.redeem_limits import enforce_redeem_limits
from merchant_pos.store.reference import (
    REFERENCE_COUNTER,
    MerchantProfile,
    MerchantSettingsStore,
    TrustStore,
)
from merchant_pos.store.trusted_time import refuse_if_clock_behind
from merchant_pos.store.usage_totals import ensure_shapes, tracked, usage_now
from merchant_pos.store.verification import CachedVerifier
from merchant_pos.store.void_writer import enqueue as _enqueue
from merchant_pos.store.void_writer import write_void

RECEIPT_COUNTER = "receipt"

# The hot path speaks plain SQL on the transaction's sqlite3 connection: the
# ORM's per-statement overhead would be most of a redemption's cost. The
# tables are the models' (a test checks the migrated schema against them).
_SELECT_COLUMNS = ("SELECT id, receipt_no, created_at, operator_id, sub, total, covered, pays,"
                   " status, code_text, code_sha256, receipt_snapshot FROM redemptions")
_SELECT_REDEMPTION = _SELECT_COLUMNS + " WHERE id = ?"
_CODE_TEXT, _CODE_SHA256 = 9, 10
_BUMP_COUNTER = ("INSERT INTO counters (name, value) VALUES (?, 1) ON CONFLICT(name) "
                 "DO UPDATE SET value = value + 1 RETURNING value")
_INSERT_REDEMPTION = (
    "INSERT INTO redemptions (id, receipt_no, device_id, operator_id, iss, sub, prg, cti,"
    " code_text, code_sha256, receipt_snapshot, created_at, total, covered, pays, status)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_LINE = ("INSERT INTO redemption_lines (redemption_id, line_no, cat, amount, qty, covered)"
                " VALUES (?, ?, ?, ?, ?, ?)")
_INSERT_DRAW = ("INSERT INTO redemption_draws (redemption_id, ent, iss, sub, amount, units, at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)")

@dataclass(frozen=True, slots=True)
class CartQuote:
    """What the clerk sees before confirming: the verified code and the quote."""

    code: VerifiedCode
    quote: Quote
    at: int
    # The usage that decides the quote at ``at``: one record per entitlement's current
    # period bucket from the running totals, or every draw if it had to read them.
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
    snapshot: ReceiptSnapshot | None = None  # claims and balances left, for reprints


@dataclass(frozen=True, slots=True)
class VoidRecord:
    void_id: str
    redemption_id: str
    supervisor_id: int
    reason: str
    at: int
    already_recorded: bool = False


@dataclass(frozen=True, slots=True)
class _Txn:
    """One ledger transaction on the pooled sqlite3 connection."""

    db: sqlite3.Connection


@dataclass(frozen=True, slots=True)
class _Reference:
    version: int
    trust: TrustList
    revoked: RevocationList
    profile: MerchantProfile
    limits: Limits  # this build's and the server's, the smaller of each


class RedemptionService:
    """Quotes and redemptions for one device. Thread-safe as far as the ledger is."""

    def __init__(self, ledger: Ledger, operators: OperatorRegistry) -> None:
        self.ledger = ledger
        self.operators = operators
        self._reference: _Reference | None = None
        self._verifier = CachedVerifier()

    # -- reference data, cached until the reference counter moves ----------------------
    def _reference_in(self, tx: _Txn) -> _Reference:
        row = tx.db.execute("SELECT value FROM counters WHERE name = ?",
                            (REFERENCE_COUNTER,)).fetchone()
        version = int(row[0]) if row else 0
        cached = self._reference
        if cached is not None and cached.version == version:
            return cached
        # Rare (after a sync changed something): load in a read transaction of its own.
        # Inside a write transaction nobody else can commit meanwhile, so it sees the same.
        with self.ledger.read() as session:
            profile = MerchantSettingsStore.profile_in(session)
            if profile is None:
                raise LedgerError(LedgerErrorId.NOT_CONFIGURED)
            ref = _Reference(version, TrustStore.trust_list_in(session),
                             TrustStore.revocations_in(session), profile, limits_in(session))
        self._reference = ref
        return ref

    @contextmanager
    def _tx(self, write: bool) -> Iterator[_Txn]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` when writing; a rolled-back snapshot when reading.

        A pooled connection (pragmas checked when it was opened) driven with plain
        SQL: the hot path skips the ORM and Core statement machinery entirely.
        """
        with translated_errors():
            pooled = self.ledger.engine.raw_connection()
            try:
                db = pooled.driver_connection
                assert isinstance(db, sqlite3.Connection)
                db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                try:
                    yield _Txn(db)
                    db.execute("COMMIT" if write else "ROLLBACK")
                except BaseException:
                    if db.in_transaction:  # e.g. COMMIT failed on a full disk
                        db.execute("ROLLBACK")
                    raise
            finally:
                pooled.close()

    def _verify_and_quote(self, tx: _Txn, code_text: str, cart: Sequence[CartLine],
                          now: int) -> tuple[CartQuote, dict[str, Shape]]:
        ref = self._reference_in(tx)
        lines = _checked_cart(cart, allow_empty=True)
        check_cart_limits(lines, ref.limits)  # what the server would refuse, refused here
        code = self._verifier.verify(code_text, ref.trust, now, revoked=ref.revoked,
                                     programs=ref.profile.programs, version=ref.version)
        refused = sorted({line.cat for line in lines} - set(ref.profile.categories))
        if refused:
            raise LedgerError(LedgerErrorId.CATEGORY_NOT_ALLOWED, ",".join(refused),
                              subject="、".join(refused))
        # The running totals (a few rows), or the draws if they were kept for other periods.
        usage, shapes = usage_now(tx.db, code.claims, now)
        return CartQuote(code, quote(code.claims, now, lines, usage), now, tuple(usage)), shapes

    def quote(self, code_text: str, cart: Sequence[CartLine]) -> CartQuote:
        """Verify the code offline and quote ``cart`` against everything already drawn.

        Raises :class:`~merchant_pos.domain.errors.CodeRejected` for a bad code and
        :class:`LedgerError` for a cart this merchant may not redeem.
        """
        now = self.ledger.clock()
        with self._tx(write=False) as tx:
            return self._verify_and_quote(tx, code_text, cart, now)[0]

    def redeem(self, redemption_id: str, code_text: str, cart: Sequence[CartLine],
               operator: OperatorSession, *, expected_covered: int | None = None) -> Receipt:
        """Record the redemption exactly once; returns only after the commit.

        ``expected_covered`` is the covered total the clerk confirmed; if the
        quote under the write lock differs (another window, another device's
        usage just synced) QUOTE_CHANGED is raised and nothing is stored.
        """
        actor = operator.ensure_active()
        lines = _checked_cart(cart)
        with self.operators.refusal_audited(actor), self._tx(write=True) as tx:
            db = tx.db
            self.operators.require_pin_current_in(db, actor, "redeem")  # weak PIN: change it
            existing = db.execute(_SELECT_REDEMPTION, (redemption_id,)).fetchone()
            if existing is not None:
                return self._same_or_refuse(db, existing, code_text, lines)
            now = self.ledger.clock()
            refuse_if_clock_behind(db, now, self.ledger)
            cq, shapes = self._verify_and_quote(tx, code_text, lines, now)
            q = cq.quote
            if expected_covered is not None and q.covered != expected_covered:
                raise LedgerError(LedgerErrorId.QUOTE_CHANGED,
                                  f"confirmed {expected_covered}, now {q.covered}")
            if q.covered == 0:
                raise LedgerError(LedgerErrorId.NOTHING_COVERED)
            # Offline limits, stale keys/revocations, a revoked device: under the lock.
            enforce_redeem_limits(db, now, q.covered)
            profile = self._reference_in(tx).profile
            number = db.execute(_BUMP_COUNTER, (RECEIPT_COUNTER,)).fetchone()[0]
            receipt_no = format_receipt_no(device_number_in(db), profile.device_id, number)
            claims = cq.code.claims
            snapshot = snapshot_after(claims, now, cq.usage, q, redemption_id)
            ensure_shapes(db, claims, shapes)
            with tracked(db, [redemption_id]):  # the usage totals follow, same transaction
                db.execute(_INSERT_REDEMPTION, (
                    redemption_id, receipt_no, profile.device_id, actor.id, claims.iss, claims.sub,
                    claims.prg, claims.cti.hex(), code_text, code_digest(code_text),
                    snapshot.to_json(), now, q.total, q.covered, q.pays,
                    RedemptionStatus.PENDING.value))
                db.executemany(_INSERT_LINE, [
                    (redemption_id, i, lq.line.cat, lq.line.amount, lq.line.qty, lq.covered)
                    for i, lq in enumerate(q.lines)])
                db.executemany(_INSERT_DRAW, [
                    (redemption_id, ent, claims.iss, claims.sub, fen, units, now)
                    for ent, (fen, units) in sorted(q.draws_by_entitlement().items())])
            payload = {
                "type": OutboxKind.REDEMPTION.value, "id": redemption_id,
                "receipt_no": receipt_no, "merchant_id": profile.merchant_id,
                "device_id": profile.device_id, "operator_id": actor.id, "at": now,
                "code": code_text, "total": q.total, "covered": q.covered, "pays": q.pays,
                "lines": [{"cat": lq.line.cat, "amount": lq.line.amount, "qty": lq.line.qty,
                           **lq.to_json()} for lq in q.lines],
            }
            _enqueue(db, redemption_id, OutboxKind.REDEMPTION, redemption_id, payload, now)
            self.ledger.audit.append(db, at=now, kind=AuditKind.REDEMPTION,
                                     operator_id=actor.id, payload={
                                         "id": redemption_id, "receipt_no": receipt_no,
                                         "iss": claims.iss, "sub": claims.sub,
                                         "total": q.total, "covered": q.covered,
                                         "pays": q.pays})
            return Receipt(redemption_id, receipt_no, now, actor.id, claims.sub, claims.nm,
                           q.total, q.covered, q.pays, RedemptionStatus.PENDING,
                           tuple(ReceiptLine(lq.line.cat, lq.line.amount, lq.line.qty,
                                             lq.covered) for lq in q.lines),
                           snapshot=snapshot)

    def _same_or_refuse(self, db: sqlite3.Connection, row: tuple[Any, ...], code_text: str,
                        lines: Sequence[CartLine]) -> Receipt:
        receipt = _receipt(db, row, already=True)
        # The code text is gone once the server answered: compare digests.
        same_code = (row[_CODE_SHA256] == code_digest(code_text) if row[_CODE_SHA256]
                     else row[_CODE_TEXT] == code_text)
        same = same_code and [
            (ln.cat, ln.amount, ln.qty) for ln in receipt.lines] == [
            (ln.cat, ln.amount, ln.qty) for ln in lines]
        if not same:
            raise LedgerError(LedgerErrorId.ID_REUSED, row[0])
        return receipt

    def receipt(self, redemption_id: str) -> Receipt | None:
        with self._tx(write=False) as tx:
            row = tx.db.execute(_SELECT_REDEMPTION, (redemption_id,)).fetchone()
            return None if row is None else _receipt(tx.db, row, already=True)

    def recent(self, limit: int = 50) -> list[Receipt]:
        """The latest redemptions, newest first (for the clerk's list and reprints)."""
        with self._tx(write=False) as tx:
            rows = tx.db.execute(_SELECT_COLUMNS + " ORDER BY created_at DESC, receipt_no DESC "
                                 "LIMIT ?", (limit,)).fetchall()
            return [_receipt(tx.db, r, already=True) for r in rows]

    # -- voids -------------------------------------------------------------------------
    def void(self, redemption_id: str, *, void_id: str, supervisor_name: str,
             supervisor_pin: str, reason: str) -> VoidRecord:
        """A supervisor voids a redemption of the same business day; idempotent by void id."""
        reason = reason.strip()
        if not reason:
            raise LedgerError(LedgerErrorId.VOID_REASON_REQUIRED)
        supervisor = self.operators.supervisor(supervisor_name, supervisor_pin, "void")
        with self.ledger.write() as session:
            tx = _Txn(raw_connection(session))
            done = session.get(VoidRow, void_id)
            if done is not None:
                if done.redemption_id != redemption_id:
                    raise LedgerError(LedgerErrorId.ID_REUSED, void_id)
                return VoidRecord(done.id, done.redemption_id, done.supervisor_id,
                                  done.reason, done.created_at, already_recorded=True)
            check_void_reason(reason, self._reference_in(tx).limits)
            row = session.get(RedemptionRow, redemption_id)
            if row is None:
                raise LedgerError(LedgerErrorId.UNKNOWN_REDEMPTION, redemption_id)
            if row.status == RedemptionStatus.VOIDED.value:
                raise LedgerError(LedgerErrorId.ALREADY_VOIDED, redemption_id)
            now = self.ledger.clock()
            if not same_business_day(tx.db, row.prg, self._reference_in(tx).profile.time_zone,
                                     row.created_at, now):
                raise LedgerError(LedgerErrorId.VOID_TOO_LATE, redemption_id)
            write_void(session, tx.db, self.ledger.audit, row, void_id=void_id,
                       by=supervisor.id, reason=reason, now=now)
            return VoidRecord(void_id, redemption_id, supervisor.id, reason, now)


def _checked_cart(cart: Sequence[CartLine], *, allow_empty: bool = False) -> list[CartLine]:
    """Redemptions need lines; a quote may be empty (a scan shows the balances). How many
    at most is the limits' business (``check_cart_limits``); this is only the shape."""
    lines = list(cart)
    if not lines and not allow_empty:
        raise LedgerError(LedgerErrorId.BAD_CART, "a cart needs a line")
    if len(lines) > LEGACY_CART_LINES:
        raise LedgerError(LedgerErrorId.CART_TOO_LONG, f"{len(lines)} lines",
                          subject=str(LEGACY_CART_LINES))
    for line in lines:
        if not isinstance(line, CartLine):
            raise LedgerError(LedgerErrorId.BAD_CART, f"not a cart line: {line!r}")
        try:  # CartLine checks itself on construction; re-check in case it was bypassed
            CartLine(line.cat, line.amount, line.qty)
        except QuoteInputError as exc:
            raise LedgerError(LedgerErrorId.BAD_CART, str(exc)) from exc
    return lines




def _receipt(db: sqlite3.Connection, row: tuple[Any, ...], already: bool) -> Receipt:
    (rid, receipt_no, at, operator_id, sub, total, covered, pays, status, code, _sha,
     snapshot_text) = row
    lines = db.execute("SELECT cat, amount, qty, covered FROM redemption_lines "
                       "WHERE redemption_id = ? ORDER BY line_no", (rid,)).fetchall()
    snapshot, masked_name = receipt_fields(snapshot_text, code)
    return Receipt(rid, receipt_no, at, operator_id, sub, masked_name, total, covered, pays,
                   RedemptionStatus(status), tuple(ReceiptLine(*ln) for ln in lines),
                   already_recorded=already, snapshot=snapshot)
