"""/v1 routes anchoring the device's audit chain, and its flags (issue 11).

``GET /v1/device/audit-head`` (in ``routes_device``) gives the head last
acknowledged; ``POST /v1/device/audit`` sends every row from that head on and
gets the new acknowledgement and the device's open flags back.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import Field

from merchant_pos.server.api_errors import ERROR_RESPONSES, reject_unknown_query
from merchant_pos.server.api_models import (
    AuditHead,
    AuditHeadOut,
    Fen,
    Reply,
    StrictBody,
    Uuid,
)
from merchant_pos.server.audit_anchor import UploadedRow, anchor
from merchant_pos.server.auth import Ctx, CurrentDevice
from merchant_pos.server.device_checks import check_rows
from merchant_pos.server.device_flags import open_flags

MAX_AUDIT_ROWS = 5000
Hash = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="hex of 32 bytes")]

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES,
                   dependencies=[Depends(reject_unknown_query)])


class AuditRowIn(StrictBody):
    seq: int = Field(ge=1, le=2**53)
    prev: Hash
    hash: Hash
    kind: str = Field(min_length=1, max_length=32, pattern=r"^[a-z_]+$")
    ref: Uuid | None = Field(default=None, description="the redemption or void it records")
    covered: Fen | None = Field(default=None, description="a redemption's covered total")
    voids: Uuid | None = Field(default=None, description="a void's target redemption")


class AuditUpload(StrictBody):
    rows: list[AuditRowIn] = Field(max_length=MAX_AUDIT_ROWS, description=(
        "every row from the acknowledged head on (that row included), in seq order"))
    head: AuditHead


class FlagOut(Reply):
    kind: str
    ref: str
    raised_at: int
    detail: dict[str, Any]


class AuditUploadResponse(Reply):
    server_time: int
    head: AuditHeadOut
    raised: list[str] = Field(description="flags this upload raised")
    flags: list[FlagOut] = Field(description="every flag on this device not yet reviewed")


class FlagsResponse(Reply):
    server_time: int
    flags: list[FlagOut]


@router.post("/device/audit", response_model=AuditUploadResponse, tags=["sync"])
def upload_audit(body: AuditUpload, device: CurrentDevice, ctx: Ctx) -> AuditUploadResponse:
    """Anchor the device's audit rows: links checked, the acknowledged past kept."""
    now = ctx.now()
    rows = [UploadedRow(r.seq, r.prev, r.hash, r.kind, r.ref, r.covered, r.voids)
            for r in body.rows]
    with ctx.engine.begin() as conn:
        result = anchor(conn, device, rows, body.head.seq, body.head.head, body.head.at, now)
        check_rows(conn, device, result.new_rows, now)
        flags = open_flags(conn, device.id)
    return AuditUploadResponse(
        server_time=now,
        head=AuditHeadOut(seq=result.head.seq, head=result.head.hash, at=result.head.at,
                          received_at=now),
        raised=result.raised, flags=[_flag_out(f) for f in flags])


@router.get("/device/flags", response_model=FlagsResponse, tags=["sync"])
def device_flags(device: CurrentDevice, ctx: Ctx) -> FlagsResponse:
    """This device's flags not yet reviewed (shown on the counter)."""
    with ctx.reader.connect() as conn:
        flags = open_flags(conn, device.id)
    return FlagsResponse(server_time=ctx.now(), flags=[_flag_out(f) for f in flags])


def _flag_out(flag: Any) -> FlagOut:
    return FlagOut(kind=flag.kind, ref=flag.ref, raised_at=flag.raised_at, detail=flag.detail)



