"""The local ledger: SQLite via SQLAlchemy 2, migrated by Alembic at start-up.

Open one :class:`Ledger` per process and build the services on it::

    ledger = Ledger.open(data_dir)              # pragmas checked, migrated, backed up
    operators = OperatorRegistry(ledger)
    service = RedemptionService(ledger, operators)
    outbox = RedemptionOutbox(ledger)           # for the sync engine
"""

from merchant_pos.store.audit import AuditHead, AuditKind, AuditLog, AuditVerification
from merchant_pos.store.errors import LedgerError, LedgerErrorId, ledger_message
from merchant_pos.store.ledger import Clock, Ledger, system_clock
from merchant_pos.store.models import OperatorRole, OutboxKind, RedemptionStatus
from merchant_pos.store.operators import (
    Operator,
    OperatorRegistry,
    OperatorSession,
    PinHasher,
)
from merchant_pos.store.outbox import (
    AppliedResults,
    OutboxItem,
    PushOutcome,
    PushResult,
    RedemptionOutbox,
)
from merchant_pos.store.redemptions import (
    CartQuote,
    Receipt,
    ReceiptLine,
    RedemptionService,
    VoidRecord,
)
from merchant_pos.store.reference import (
    CategoryInfo,
    MerchantProfile,
    MerchantSettingsStore,
    ProgramInfo,
    TrustStore,
)
from merchant_pos.store.sync_state import SyncKind, SyncState, SyncStateStore
from merchant_pos.store.usage import ServerUsage, UsageLedger

__all__ = [
    "AppliedResults", "AuditHead", "AuditKind", "AuditLog", "AuditVerification", "CartQuote",
    "CategoryInfo", "Clock", "Ledger", "LedgerError", "LedgerErrorId", "MerchantProfile",
    "MerchantSettingsStore", "Operator", "OperatorRegistry", "OperatorRole", "OperatorSession",
    "OutboxItem", "OutboxKind", "PinHasher", "ProgramInfo", "PushOutcome", "PushResult",
    "Receipt", "ReceiptLine", "RedemptionOutbox", "RedemptionService", "RedemptionStatus",
    "ServerUsage", "SyncKind", "SyncState", "SyncStateStore", "TrustStore", "UsageLedger",
    "VoidRecord", "ledger_message", "system_clock",
]
