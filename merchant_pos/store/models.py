"""The ledger's tables as typed SQLAlchemy models.

Money is integer fen, times are UTC epoch seconds (integers). Migrations in
``migrations/versions`` create exactly these tables; a test checks that the
migrated schema and these models agree.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class RedemptionStatus(StrEnum):
    """Where a redemption stands; the server's answers move it on from pending."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    CONFLICT = "conflict"
    REJECTED = "rejected"
    VOIDED = "voided"


class OutboxKind(StrEnum):
    REDEMPTION = "redemption"
    VOID = "void"


class OperatorRole(StrEnum):
    CASHIER = "cashier"
    SUPERVISOR = "supervisor"


class MerchantProfileRow(Base):
    """The one row describing this merchant and this device (id is always 1)."""

    __tablename__ = "merchant_profile"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    merchant_id: Mapped[str] = mapped_column(String(64))
    merchant_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    device_id: Mapped[str] = mapped_column(String(64))
    time_zone: Mapped[str] = mapped_column(String(64))
    programs_json: Mapped[str] = mapped_column(Text)  # JSON list of program ids
    categories_json: Mapped[str] = mapped_column(Text)  # JSON list of redeemable categories
    updated_at: Mapped[int] = mapped_column(Integer)


class ProgramRow(Base):
    __tablename__ = "programs"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    time_zone: Mapped[str] = mapped_column(String(64))
    categories_json: Mapped[str] = mapped_column(Text)  # [{code, name_zh, name_en}]
    updated_at: Mapped[int] = mapped_column(Integer)


class TrustedKeyRow(Base):
    __tablename__ = "trusted_keys"
    kid: Mapped[bytes] = mapped_column(LargeBinary(8), primary_key=True)
    alg: Mapped[int] = mapped_column(Integer, primary_key=True)
    iss: Mapped[str] = mapped_column(String(256))
    raw_key: Mapped[bytes] = mapped_column(LargeBinary)
    not_before: Mapped[int] = mapped_column(Integer)
    not_after: Mapped[int] = mapped_column(Integer)


class RevocationRow(Base):
    """A revoked code id (kind ``cti``, value in hex) or blocked beneficiary (``sub``)."""

    __tablename__ = "revocations"
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    value: Mapped[str] = mapped_column(String(256), primary_key=True)
    received_at: Mapped[int] = mapped_column(Integer)


class OperatorRow(Base):
    __tablename__ = "operators"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    pin_hash: Mapped[str] = mapped_column(String(256))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[int | None] = mapped_column(Integer, nullable=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[int] = mapped_column(Integer)
    # Revision 0004_n13: signed in with a weak PIN from before the rule, so nothing but a
    # PIN change until it is changed; and which device secret keyed pin_hash (fingerprint).
    must_change_pin: Mapped[bool] = mapped_column(default=False, server_default="0")
    pin_key: Mapped[str | None] = mapped_column(String(16), nullable=True)


class RedemptionRow(Base):
    __tablename__ = "redemptions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # client UUID
    receipt_no: Mapped[str] = mapped_column(String(64), unique=True)
    device_id: Mapped[str] = mapped_column(String(64))
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    iss: Mapped[str] = mapped_column(String(256))
    sub: Mapped[str] = mapped_column(String(64))
    prg: Mapped[str] = mapped_column(String(64))
    cti: Mapped[str] = mapped_column(String(32))  # hex
    # The code text only while the server has not answered its outbox entry; after that
    # "" and only its SHA-256 and the receipt snapshot are kept (revision 0003).
    code_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[int] = mapped_column(Integer)  # device (corrected) time
    total: Mapped[int] = mapped_column(Integer)
    covered: Mapped[int] = mapped_column(Integer)
    pays: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    voided_at: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Added by revision 0002: the server's reason for conflict / rejected.
    server_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Added by revision 0003: see merchant_pos.store.receipt_snapshot.
    code_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    receipt_snapshot: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (
        Index("ix_redemptions_iss_sub", "iss", "sub"),
        Index("ix_redemptions_created_at", "created_at"),
    )


class RedemptionLineRow(Base):
    __tablename__ = "redemption_lines"
    redemption_id: Mapped[str] = mapped_column(
        ForeignKey("redemptions.id", ondelete="CASCADE"), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    cat: Mapped[str] = mapped_column(String(64))
    amount: Mapped[int] = mapped_column(Integer)
    qty: Mapped[int] = mapped_column(Integer)
    covered: Mapped[int] = mapped_column(Integer)


class RedemptionDrawRow(Base):
    """What one of our redemptions drew from one entitlement (fen and units)."""

    __tablename__ = "redemption_draws"
    redemption_id: Mapped[str] = mapped_column(
        ForeignKey("redemptions.id", ondelete="CASCADE"), primary_key=True)
    ent: Mapped[str] = mapped_column(String(32), primary_key=True)
    iss: Mapped[str] = mapped_column(String(256))
    sub: Mapped[str] = mapped_column(String(64))
    amount: Mapped[int] = mapped_column(Integer)
    units: Mapped[int] = mapped_column(Integer)
    at: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_redemption_draws_iss_sub", "iss", "sub"),)


class VoidRow(Base):
    __tablename__ = "voids"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # client UUID
    redemption_id: Mapped[str] = mapped_column(ForeignKey("redemptions.id"), unique=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[int] = mapped_column(Integer)


class OutboxRow(Base):
    """One item to push, in ``seq`` order, with the exact payload sent on every retry."""

    __tablename__ = "outbox"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(String(36), unique=True)  # redemption or void UUID
    kind: Mapped[str] = mapped_column(String(16))
    redemption_id: Mapped[str] = mapped_column(ForeignKey("redemptions.id"))
    # Canonical JSON, frozen at insert; "" once the server answered (revision 0003).
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[int] = mapped_column(Integer)
    # Added by revision 0002: push bookkeeping for the sync engine.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_attempt_at: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    result_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_at: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Added by revision 0003_i9c_outbox_stuck: since when the server refuses this entry
    # (its answer in result_reason); None once taken, or while never refused.
    stuck_at: Mapped[int | None] = mapped_column(Integer, nullable=True)

    __table_args__ = (Index("ix_outbox_status_seq", "status", "seq"),)


class UsageRecordRow(Base):
    """A draw reported by the server (any merchant), deduplicated by (rid, ent)."""

    __tablename__ = "usage_records"
    rid: Mapped[str] = mapped_column(String(64), primary_key=True)
    ent: Mapped[str] = mapped_column(String(32), primary_key=True)
    iss: Mapped[str] = mapped_column(String(256))
    sub: Mapped[str] = mapped_column(String(64))
    amount: Mapped[int] = mapped_column(Integer)
    units: Mapped[int] = mapped_column(Integer)
    at: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_usage_records_iss_sub", "iss", "sub"),)


class UsageTotalsShapeRow(Base):
    """Per beneficiary and entitlement: the period kind and zone its usage buckets are
    computed for (``per`` NULL: counted, not bucketed) and its counted records (issue 14;
    revision 0004_n14a_usage_totals; see merchant_pos.store.usage_totals)."""

    __tablename__ = "usage_totals_shape"
    iss: Mapped[str] = mapped_column(String(256), primary_key=True)
    sub: Mapped[str] = mapped_column(String(64), primary_key=True)
    ent: Mapped[str] = mapped_column(String(32), primary_key=True)
    per: Mapped[str | None] = mapped_column(String(8), nullable=True)
    tz: Mapped[str] = mapped_column(String(64))
    records: Mapped[int] = mapped_column(Integer)


class UsageTotalRow(Base):
    """Running totals of one period bucket ``[period_start, period_end)`` of one
    entitlement of one beneficiary, for the period kind and zone it was computed for."""

    __tablename__ = "usage_totals"
    iss: Mapped[str] = mapped_column(String(256), primary_key=True)
    sub: Mapped[str] = mapped_column(String(64), primary_key=True)
    ent: Mapped[str] = mapped_column(String(32), primary_key=True)
    period_start: Mapped[int] = mapped_column(Integer, primary_key=True)
    per: Mapped[str] = mapped_column(String(8))
    tz: Mapped[str] = mapped_column(String(64))
    period_end: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(Integer)
    units: Mapped[int] = mapped_column(Integer)
    records: Mapped[int] = mapped_column(Integer)


class AuditRow(Base):
    """One link of the audit chain: ``hash = HMAC-SHA256(device secret, content || prev_hash)``."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    operator_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHeadRow(Base):
    """The chain's last (seq, hash), updated with every append: truncation shows.
    ``keyed`` (revision 0003): 1 once the chain's links are keyed with the device secret."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    keyed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class SyncStateRow(Base):
    """Per kind of data (config, trust, revocations, usage, push): cursor and times."""

    __tablename__ = "sync_state"
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    cursor: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_fresh_at: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_attempt_at: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class CounterRow(Base):
    """Monotonic counters (receipt numbers); bumped inside the writing transaction."""

    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class SettingRow(Base):
    """Small device settings as JSON (e.g. the server clock offset)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class PrintJobRow(Base):
    """A receipt, void slip or report waiting for (or done on) the printer (issue 12).

    ``content`` is the frozen JSON of what to print, so a retry or a reprint prints
    exactly what the first attempt would have."""

    __tablename__ = "print_jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    redemption_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))  # receipt, void, test, report
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # queued, printed, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[int] = mapped_column(Integer)
    printed_at: Mapped[int | None] = mapped_column(Integer, nullable=True)

    __table_args__ = (Index("ix_print_jobs_status_id", "status", "id"),
                      Index("ix_print_jobs_redemption_id", "redemption_id"))
