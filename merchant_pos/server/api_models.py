"""Request and response bodies of the /v1 API (pydantic; the OpenAPI document comes from here).

Requests are strict: unknown fields are rejected, types are not coerced
("1" is not 1), and every string, list and number is bounded.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from merchant_pos.domain.limits import LEGACY_CART_LINES, LIMITS

MAX_PUSH_ITEMS = LIMITS.push_items
MAX_BODY_BYTES = 4 * 1024 * 1024
MAX_PAGE_ITEMS = LIMITS.page_items
DEFAULT_PAGE_ITEMS = 500
MAX_EPOCH = 2**37  # year 6325: calendar arithmetic stays inside datetime
MAX_FEN = LIMITS.total_fen

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"



def _normalised(value: Any) -> Any:
    """JSON Schema counts 3.0 as an integer: read it as 3 (strict mode still refuses 3.5, "3").
    Text must be storable: no NUL character, no lone UTF-16 surrogate."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if isinstance(value, str):
        _check_text(value)
    elif isinstance(value, dict):
        for key in value:
            if isinstance(key, str) and "\x00" not in key:
                _check_text(key)  # a NUL in a key is harmless: keys are never stored
        return {k: _normalised(v) for k, v in value.items()}
    elif isinstance(value, list):
        return [_normalised(v) for v in value]
    return value


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise ValueError("text must not contain NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (no lone surrogates)") from None

Uuid = Annotated[str, Field(pattern=UUID_PATTERN, min_length=36, max_length=36,
                            description="lower-case canonical UUID chosen by the POS")]
Epoch = Annotated[int, Field(ge=0, le=MAX_EPOCH, description="UTC epoch seconds")]
Fen = Annotated[int, Field(ge=0, le=MAX_FEN, description="money in fen (1/100 yuan)")]
PositiveFen = Annotated[int, Field(ge=1, le=LIMITS.line_amount_fen)]
Units = Annotated[int, Field(ge=1, le=LIMITS.line_qty)]
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL
EntId = Annotated[str, Field(min_length=1, max_length=LIMITS.entitlement_chars)]
CatId = Annotated[str, Field(min_length=1, max_length=LIMITS.category_chars, pattern=NO_NUL)]
Status = Literal["accepted", "conflict", "rejected"]
DeviceSeq = Annotated[int | None, Field(
    default=None, ge=1, le=2**53,
    description="the device's sequence number of this entry (its outbox order); the "
                "server checks that times do not decrease in this order")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class StrictBody(Strict):
    """A whole request body: normalised once, at the top (see ``_normalised``)."""

    @model_validator(mode="before")
    @classmethod
    def _integral_numbers(cls, data: Any) -> Any:
        return _normalised(data)


class Reply(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ----- errors -------------------------------------------------------------------------

class ErrorDetail(Reply):
    loc: list[str | int] = Field(description="where in the request")
    msg: str
    type: str


class ErrorBody(Reply):
    """Every error response: a stable machine id, an English message, details."""

    error: str = Field(description="stable error id, e.g. invalid_request, unauthorized")
    message: str
    detail: list[ErrorDetail] = Field(default_factory=list)


# ----- enrollment and device ------------------------------------------------------------

class EnrollRequest(StrictBody):
    code: str = Field(min_length=1, max_length=32, pattern=NO_NUL,
                      description="one-time enrollment code")
    name: str = Field(min_length=1, max_length=LIMITS.device_name_chars, pattern=NO_NUL,
                      description="a label for this POS")
    request_id: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9_-]{22,64}$",
        description="random id the device stores before its first attempt: the same request "
                    "with the same code (its answer was lost) gets the same device and token")
    install_id: str | None = Field(
        default=None, min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
        description="the data folder's own random id: the same folder enrolling again "
                    "gets its device number back")


class EnrollResponse(Reply):
    device_id: str
    device_number: int = Field(description="short number of this device at its merchant, "
                                           "for receipt numbers; never reused")
    token: str = Field(description="secret bearer token; shown once, stored hashed")
    merchant_id: str
    merchant_name: str
    server_time: int


class Names(Reply):
    zh_CN: str
    en: str


class CategoryOut(Reply):
    id: str
    name: Names


class ProgramOut(Reply):
    id: str
    name: Names
    tz: str
    iss: str
    categories: list[CategoryOut]
    allowed_categories: list[str] = Field(description="the ones this merchant may redeem")


class StandardItemOut(Reply):
    id: str
    program: str
    cat: str
    name: Names
    price: int


class MerchantOut(Reply):
    id: str
    name: str
    kind: str


class DeviceOut(Reply):
    id: str
    name: str
    number: int | None = Field(default=None, description="short device number (receipts)")


class LimitsOut(Reply):
    """The bounds this server enforces (``merchant_pos.domain.limits``); a counter
    refuses up front what would break them."""

    cart_lines: int
    code_chars: int
    line_amount_fen: int
    line_qty: int
    total_fen: int
    category_chars: int
    entitlement_chars: int
    entitlements_per_line: int
    item_chars: int
    receipt_chars: int
    void_reason_chars: int
    device_name_chars: int
    push_items: int
    page_items: int


class Policies(Reply):
    max_offline_hours: int = Field(description="refuse redemptions after this long unsynced")
    max_unsynced_covered: int = Field(description="cap on unsynced covered fen per device")
    max_push_items: int
    max_page_items: int
    limits: LimitsOut
    token_ttl_hours: int = Field(description="a device token expires after this long "
                                             "without a sync; the device must enroll again")
    idle_lock_minutes: int = Field(ge=1, le=1440,
                                   description="a counter left this long without activity "
                                               "locks its screen")


class TokenRotation(Reply):
    next: str = Field(description="the device's next token: use it from now on; the current "
                                  "one stops working once this one is first used")


class ConfigResponse(Reply):
    server_time: int
    merchant: MerchantOut
    device: DeviceOut
    programs: list[ProgramOut]
    standard_items: list[StandardItemOut]
    policies: Policies
    token: TokenRotation | None = Field(default=None,
                                        description="a successor token, now and then")


class TrustedKeyOut(Reply):
    kid: str = Field(description="Base64 of the 8-byte key id")
    alg: int
    key: str = Field(description="Base64 of the raw public key")
    iss: str
    not_before: int
    not_after: int


class TrustListResponse(Reply):
    server_time: int
    keys: list[TrustedKeyOut]


class AuditHead(StrictBody):
    seq: int = Field(ge=0, le=2**53, description="number of the last audit entry")
    head: str = Field(pattern=r"^[0-9a-f]{16,128}$", description="hex hash of that entry")
    at: Epoch


class AuditHeadOut(Reply):
    seq: int
    head: str
    at: int
    received_at: int


# ----- deltas -------------------------------------------------------------------------

class RevocationOut(Reply):
    kind: Literal["cti", "sub"]
    value: str = Field(description="cti in hex, or the beneficiary id")
    revoked_at: int


class RevocationPage(Reply):
    items: list[RevocationOut]
    cursor: str = Field(description="pass as `after` for the next page")
    more: bool


class UsageOut(Reply):
    rid: str = Field(description="UUID of the redemption that drew it")
    merchant: str
    prg: str
    iss: str
    sub: str
    ent: str
    amount: int
    units: int
    at: int
    voided: bool = Field(description="the redemption was voided: forget this draw")


class UsagePage(Reply):
    items: list[UsageOut]
    cursor: str
    more: bool


# ----- redemption push ------------------------------------------------------------------

class PushLine(Strict):
    cat: CatId
    amount: PositiveFen
    qty: Units = 1
    covered: Fen
    draws: dict[EntId, PositiveFen] = Field(default_factory=dict,
                                            max_length=LIMITS.entitlements_per_line,
                                            description="entitlement id → fen drawn")
    units: dict[EntId, Units] = Field(default_factory=dict,
                                      max_length=LIMITS.entitlements_per_line,
                                      description="count entitlements: id → units taken")
    item: str | None = Field(default=None, max_length=LIMITS.item_chars, pattern=NO_NUL,
                             description="standard item id")


class RedemptionItem(Strict):
    type: Literal["redemption"]
    uuid: Uuid
    code: str = Field(min_length=1, max_length=LIMITS.code_chars, pattern=NO_NUL,
                      description="the BC1 text as scanned")
    at: Epoch = Field(description="redemption time (the POS's corrected clock)")
    lines: list[PushLine] = Field(
        min_length=1, max_length=LEGACY_CART_LINES,
        description="new carts have at most `policies.limits.cart_lines` lines; up to 200 "
                    "are taken so that what older counters recorded can still be uploaded")
    covered: Fen
    receipt: str | None = Field(default=None, max_length=LIMITS.receipt_chars, pattern=NO_NUL)
    device_seq: DeviceSeq = None


class VoidItem(Strict):
    type: Literal["void"]
    uuid: Uuid
    voids: Uuid = Field(description="UUID of the redemption it cancels")
    at: Epoch
    reason: str | None = Field(default=None, max_length=LIMITS.void_reason_chars,
                               pattern=NO_NUL)
    device_seq: DeviceSeq = None


PushItem = Annotated[RedemptionItem | VoidItem, Field(discriminator="type")]


class PushRequest(StrictBody):
    items: list[PushItem] = Field(max_length=MAX_PUSH_ITEMS)


class Exceeded(Reply):
    ent: str
    unit: Literal["fen", "count"]
    lim: int
    per: Literal["total", "day", "week", "month", "year"]
    once: bool
    used_before: int = Field(description="drawn in the period by earlier redemptions")
    drawn: int = Field(description="drawn by this redemption")
    period_start: int | None
    period_end: int | None
    earlier: list[str] = Field(description="UUIDs of the earlier redemptions (up to 10)")


class ConflictInfo(Reply):
    exceeded: list[Exceeded] = Field(
        description="the entitlements the counter drew that the beneficiary no longer had")
    covered: int | None = Field(default=None, description="what the counter covered")
    quote_covered: int | None = Field(
        default=None, description="what the quote covers, in time order after everything "
                                  "recorded before this redemption")


class ItemResult(Reply):
    uuid: str
    status: Literal["accepted", "duplicate", "conflict", "rejected", "error"]
    outcome: Status | None = Field(
        description="the recorded result (for duplicate: the original one); null on error")
    reason: str | None = Field(description="rejected: why; error: uuid_reused")
    message: str | None
    conflict: ConflictInfo | None
    covered: int | None = Field(description="covered fen as recorded")
    voided: bool


class PushResponse(Reply):
    server_time: int
    results: list[ItemResult]


class OutcomeOut(Reply):
    uuid: str
    status: Status
    reason: str | None
    conflict: ConflictInfo | None
    voided: bool


class OutcomePage(Reply):
    items: list[OutcomeOut]
    cursor: str
    more: bool


# ----- settlement and health ----------------------------------------------------------

class SettlementRow(Reply):
    day: str
    merchant: str
    program: str | None
    cat: str | None
    status: Literal["accepted", "conflict", "rejected", "voided"]
    count: int = Field(description="redemptions (a redemption counts once per category)")
    total: int
    covered: int


class DeviceFlagOut(Reply):
    device: str
    kind: str
    ref: str
    raised_at: int


class SettlementResponse(Reply):
    day: str
    merchant: str
    rows: list[SettlementRow]
    flags: list[DeviceFlagOut] = Field(default_factory=list, description=(
        "the merchant's devices' flags not yet reviewed (audit chain, times)"))


class Health(Reply):
    status: Literal["ok"]
    server_time: int
    version: str
