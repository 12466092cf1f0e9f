"""The reference server's tables (SQLAlchemy Core), for SQLite and PostgreSQL alike.

Uniqueness and idempotency live here, as constraints: a redemption UUID is
unique, an enrollment code is used once, a device token hash is unique.
Times are UTC epoch seconds (BigInteger); money is integer fen.

Delta feeds (revocations, usage, outcome changes) carry a ``seq`` taken from
the single ``feed_counter`` row at the end of the writing transaction; the
row lock is held until commit, so sequence order is commit order and a reader
paging by ``seq`` never skips a row that commits later.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# An autoincrementing 64-bit key (SQLite only autoincrements INTEGER PRIMARY KEY).
AutoId = BigInteger().with_variant(Integer(), "sqlite")

issuer_keys = Table(
    "issuer_keys", metadata,
    Column("kid", String(16), primary_key=True),  # hex of the 8-byte kid
    Column("alg", Integer, nullable=False),
    Column("iss", String(64), nullable=False),
    Column("public_key", LargeBinary, nullable=False),
    Column("private_pem", Text, nullable=False),  # never leaves the server
    Column("not_before", BigInteger, nullable=False),
    Column("not_after", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("retired_at", BigInteger),  # no longer signs new codes
    Column("withdrawn_at", BigInteger),  # removed from the trust list (compromised)
)

programs = Table(
    "programs", metadata,
    Column("id", String(64), primary_key=True),
    Column("name_zh", String(128), nullable=False),
    Column("name_en", String(128), nullable=False),
    Column("tz", String(64), nullable=False),
    Column("iss", String(64), nullable=False),
    Column("entitlements", Text, nullable=False),  # JSON array, spec section 3 shape
    Column("code_valid_days", Integer, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

categories = Table(
    "categories", metadata,
    Column("program_id", String(64), ForeignKey("programs.id"), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("name_zh", String(128), nullable=False),
    Column("name_en", String(128), nullable=False),
)

merchants = Table(
    "merchants", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("max_offline_hours", Integer, nullable=False),
    Column("max_unsynced_covered", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

merchant_programs = Table(
    "merchant_programs", metadata,
    Column("merchant_id", String(64), ForeignKey("merchants.id"), primary_key=True),
    Column("program_id", String(64), ForeignKey("programs.id"), primary_key=True),
)

merchant_categories = Table(
    "merchant_categories", metadata,
    Column("merchant_id", String(64), ForeignKey("merchants.id"), primary_key=True),
    Column("program_id", String(64), primary_key=True),
    Column("category_id", String(64), primary_key=True),
)

standard_items = Table(
    "standard_items", metadata,
    Column("merchant_id", String(64), ForeignKey("merchants.id"), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("program_id", String(64), nullable=False),
    Column("category_id", String(64), nullable=False),
    Column("name_zh", String(128), nullable=False),
    Column("name_en", String(128), nullable=False),
    Column("price", BigInteger, nullable=False),
)

enrollment_codes = Table(
    "enrollment_codes", metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("merchant_id", String(64), ForeignKey("merchants.id"), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("used_at", BigInteger),
    Column("device_id", String(36)),
    # revision 0002_i9c_device_tokens: a retry of the same request gets the same answer
    Column("request_hash", String(64)),  # SHA-256 of the device's enrollment request id
    Column("token_sealed", Text),  # the token issued, sealed with a key from the request id
)

devices = Table(
    "devices", metadata,
    Column("id", String(36), primary_key=True),
    Column("merchant_id", String(64), ForeignKey("merchants.id"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger),
    # revision 0002_i9c_device_tokens: rotation and expiry of the device token
    Column("next_token_hash", String(64)),  # handed out, not yet used (unique, below)
    Column("token_issued_at", BigInteger),
    Column("last_sync_at", BigInteger),  # the token expires after token_ttl without a sync
    UniqueConstraint("next_token_hash", name="uq_devices_next_token_hash"),
    Column("audit_seq", BigInteger),
    Column("audit_head", String(128)),
    Column("audit_at", BigInteger),
    Column("audit_received_at", BigInteger),
    # The device this one replaced: the same data folder enrolled again (proved by the
    # old token). Its redemptions are answered to this one; see server/device_links.py.
    Column("previous_id", String(36)),
    Column("number", Integer),  # the short device number on receipts (device_numbers)
)

# Enrollment attempts, for the rate limits per address and per code (device_links.py).
enrollment_attempts = Table(
    "enrollment_attempts", metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("address", String(64), nullable=False),
    Column("code_hash", String(64), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("failed", Boolean, nullable=False),
    Index("ix_enrollment_attempts_address", "address", "at"),
    Index("ix_enrollment_attempts_code", "code_hash", "at"),
)

# Short device numbers, per merchant, for receipt numbers such as ``03-000127``.
# A number is never handed out twice; a re-enrollment that shows the same data
# folder's install id (kept hashed) gets its old number back.
device_numbers = Table(
    "device_numbers", metadata,
    Column("merchant_id", String(64), ForeignKey("merchants.id"), primary_key=True),
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("install_hash", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("merchant_id", "install_hash", name="uq_device_number_install"),
)

beneficiaries = Table(
    "beneficiaries", metadata,
    Column("sub", String(64), primary_key=True),
    Column("program_id", String(64), ForeignKey("programs.id"), nullable=False),
    Column("name_masked", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger),
)

issued_codes = Table(
    "issued_codes", metadata,
    Column("cti", String(32), primary_key=True),  # hex
    Column("sub", String(64), ForeignKey("beneficiaries.sub"), nullable=False),
    Column("program_id", String(64), nullable=False),
    Column("kid", String(16), nullable=False),
    Column("iat", BigInteger, nullable=False),
    Column("exp", BigInteger, nullable=False),
    Column("text", Text, nullable=False),
)

revocations = Table(
    "revocations", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(8), nullable=False),  # "cti" (hex) or "sub"
    Column("value", String(64), nullable=False),
    Column("revoked_at", BigInteger, nullable=False),
    Column("reason", String(200), nullable=False),
    UniqueConstraint("kind", "value", name="uq_revocation"),
)

feed_counter = Table(
    "feed_counter", metadata,
    Column("name", String(16), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

# One row per beneficiary, updated at the start of every ingest that touches
# them: the row lock serialises conflict detection across server processes.
ledger_locks = Table(
    "ledger_locks", metadata,
    Column("iss", String(64), primary_key=True),
    Column("sub", String(64), primary_key=True),
    Column("version", BigInteger, nullable=False),
)

redemptions = Table(
    "redemptions", metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("content_hash", String(64), nullable=False),
    Column("kind", String(12), nullable=False),  # "redemption" or "void"
    Column("device_id", String(36), ForeignKey("devices.id"), nullable=False),
    Column("merchant_id", String(64), nullable=False),
    Column("status", String(12), nullable=False),  # accepted / conflict / rejected
    Column("reason", String(64)),
    Column("conflict", Text),  # JSON {"exceeded": [...]}
    Column("iss", String(64)),
    Column("sub", String(64)),
    Column("program_id", String(64)),
    Column("cti", String(32)),
    Column("at", BigInteger, nullable=False),
    Column("day", String(10), nullable=False),  # local date in the program's zone
    Column("total", BigInteger, nullable=False),
    Column("covered", BigInteger, nullable=False),
    Column("quote_covered", BigInteger),  # the server's own quote on its ledger
    Column("voids_uuid", String(36)),
    Column("voided_by", String(36)),
    Column("voided_at", BigInteger),
    Column("received_at", BigInteger, nullable=False),
    Column("body", Text, nullable=False),  # the item as pushed (JSON)
    # Why a person should look at it although it counts, e.g. "device_revoked": made
    # by a revoked device (by its own clock) and uploaded after re-enrolling.
    Column("review", String(32)),
    Index("ix_redemptions_sub_at", "iss", "sub", "at"),  # 0004_n14b_history_indexes
    Index("ix_redemptions_device_status", "device_id", "status"),
    Index("ix_redemptions_merchant_day", "merchant_id", "day"),
)

redemption_lines = Table(
    "redemption_lines", metadata,
    Column("redemption_uuid", String(36), ForeignKey("redemptions.uuid"), primary_key=True),
    Column("line_no", Integer, primary_key=True, autoincrement=False),
    Column("cat", String(64), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("qty", BigInteger, nullable=False),
    Column("covered", BigInteger, nullable=False),
)

# The server's allocation of each redemption: what the spec's quote, re-run in
# time order (server/requote.py), drew from each entitlement, with the rule as
# the redeemed code stated it. Not the counter's own picks (those stay in body).
draws = Table(
    "draws", metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("rid", String(36), ForeignKey("redemptions.uuid"), nullable=False),
    Column("iss", String(64), nullable=False),
    Column("sub", String(64), nullable=False),
    Column("ent", String(32), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("units", BigInteger, nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("unit", String(8), nullable=False),
    Column("lim", BigInteger, nullable=False),
    Column("per", String(8), nullable=False),
    Column("once", Boolean, nullable=False),
    Column("tz", String(64), nullable=False),
    Column("voided", Boolean, nullable=False),
    Index("ix_draws_sub_at", "iss", "sub", "at"),  # 0004_n14b_history_indexes
    Index("ix_draws_rid", "rid"),
)

# Running totals of the non-voided draws (0005_n14d_usage_totals; ``server/usage_totals``),
# written in the same transaction as the draws: per beneficiary, entitlement and the
# shape the draw's code gave it (period kind, zone), the record count over all time;
# and per period bucket of that shape, the amount, units and record count. A cache of
# the judge: ``ledger_history`` reads them for the history before a re-judge.
def _shape_key() -> list[Column[str]]:
    return [Column(name, String(size), primary_key=True)
            for name, size in (("iss", 64), ("sub", 64), ("ent", 32), ("per", 8), ("tz", 64))]


usage_totals_shape = Table(
    "usage_totals_shape", metadata, *_shape_key(),
    Column("records", BigInteger, nullable=False),
)

usage_totals = Table(
    "usage_totals", metadata, *_shape_key(),
    Column("period_start", BigInteger, primary_key=True, autoincrement=False),
    Column("period_end", BigInteger, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("units", BigInteger, nullable=False),
    Column("records", BigInteger, nullable=False),
)

usage_events = Table(
    "usage_events", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("rid", String(36), nullable=False),
    Column("device_id", String(36), nullable=False),
    Column("merchant_id", String(64), nullable=False),
    Column("program_id", String(64), nullable=False),
    Column("iss", String(64), nullable=False),
    Column("sub", String(64), nullable=False),
    Column("ent", String(32), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("units", BigInteger, nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("voided", Boolean, nullable=False),
    Index("ix_usage_events_program", "program_id", "seq"),
)

outcome_events = Table(
    "outcome_events", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("device_id", String(36), nullable=False),
    Column("uuid", String(36), nullable=False),
    Column("status", String(12), nullable=False),
    Column("reason", String(64)),
    Column("conflict", Text),
    Column("voided", Boolean, nullable=False),
    Index("ix_outcome_events_device", "device_id", "seq"),
)

# Issue 11: each device's audit chain as anchored here. Every row the device uploaded
# (its seq, links, and for a redemption or void the item it records), every head
# acknowledged, and the flags raised on the device (rewrite, truncation, seq going
# back, items that differ from their audit row, times out of order).
device_audit_rows = Table(
    "device_audit_rows", metadata,
    Column("device_id", String(36), ForeignKey("devices.id"), primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("ref", String(36)),  # the redemption or void UUID it records
    Column("covered", BigInteger),  # a redemption's covered total
    Column("voids", String(36)),  # a void's target
    Column("received_at", BigInteger, nullable=False),
    Index("ix_device_audit_rows_ref", "device_id", "ref"),
)

device_audit_heads = Table(
    "device_audit_heads", metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("device_id", String(36), ForeignKey("devices.id"), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(128), nullable=False),
    Column("at", BigInteger, nullable=False),  # the device's time when it sent the head
    Column("received_at", BigInteger, nullable=False),
    Column("rebased", Boolean, nullable=False),  # accepted after a flag: a new baseline
    Index("ix_device_audit_heads_device", "device_id", "seq"),
)

device_flags = Table(
    "device_flags", metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("device_id", String(36), ForeignKey("devices.id"), nullable=False),
    Column("merchant_id", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("ref", String(64), nullable=False),  # what it is about (uuid, seq), "" if none
    Column("detail", Text, nullable=False),  # JSON
    Column("raised_at", BigInteger, nullable=False),
    Column("reviewed_at", BigInteger),
    UniqueConstraint("device_id", "kind", "ref", name="uq_device_flag"),
    Index("ix_device_flags_merchant", "merchant_id", "raised_at"),
)

# The device's sequence number and claimed time of every item it pushed, with the time
# received: what the time checks compare (issue 11, trusted time).
device_item_times = Table(
    "device_item_times", metadata,
    Column("device_id", String(36), ForeignKey("devices.id"), primary_key=True),
    Column("uuid", String(36), primary_key=True),
    Column("device_seq", BigInteger),
    Column("kind", String(12), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("covered", BigInteger),
    Column("voids", String(36)),
    Column("received_at", BigInteger, nullable=False),
    Index("ix_device_item_times_seq", "device_id", "device_seq"),
)
