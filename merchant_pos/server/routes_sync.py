"""/v1 sync routes: redemption push, paged deltas (revocations, usage, outcome changes),
one redemption's status, and the merchant's settlement.

Deltas: ``GET ...?after=<cursor>&limit=n`` → ``{items, cursor, more}``. Start
with no cursor; store the returned cursor only after applying the page; call
again while ``more`` is true. Cursors are opaque strings.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse
from sqlalchemy import Select, select

from merchant_pos.server.api_errors import (
    ERROR_RESPONSES,
    NOT_FOUND,
    ApiError,
    reject_unknown_query,
)
from merchant_pos.server.api_models import (
    DEFAULT_PAGE_ITEMS,
    MAX_PAGE_ITEMS,
    UUID_PATTERN,
    DeviceFlagOut,
    ItemResult,
    OutcomeOut,
    OutcomePage,
    PushRequest,
    PushResponse,
    RevocationOut,
    RevocationPage,
    SettlementResponse,
    SettlementRow,
    UsageOut,
    UsagePage,
)
from merchant_pos.server.auth import Ctx, CurrentDevice
from merchant_pos.server.device_flags import open_flags
from merchant_pos.server.ingest import push as ingest_push
from merchant_pos.server.ingest_checks import reason_message
from merchant_pos.server.schema import (
    merchant_programs,
    outcome_events,
    redemptions,
    revocations,
    usage_events,
)
from merchant_pos.server.settlement import settlement_rows

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES,
                   dependencies=[Depends(reject_unknown_query)])

After = Annotated[str, Query(pattern=r"^[0-9]{1,18}$", description="cursor of the last page")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_ITEMS, description="items per page")]


def _page(ctx: Ctx, stmt: Select[Any], seq_col: Any, after: str, limit: int
          ) -> tuple[list[Any], str, bool]:
    start = int(after)
    with ctx.reader.connect() as conn:
        rows = list(conn.execute(stmt.where(seq_col > start).order_by(seq_col)
                                 .limit(limit + 1)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = str(rows[-1].seq) if rows else str(start)
    return rows, cursor, more


@router.get("/revocations", response_model=RevocationPage, tags=["sync"])
def revocation_delta(device: CurrentDevice, ctx: Ctx, after: After = "0",
                     limit: Limit = DEFAULT_PAGE_ITEMS) -> RevocationPage:
    """Revoked codes (cti, hex) and beneficiaries (sub) after the cursor."""
    rows, cursor, more = _page(ctx, select(revocations), revocations.c.seq, after, limit)
    return RevocationPage(cursor=cursor, more=more, items=[
        RevocationOut(kind=r.kind, value=r.value, revoked_at=r.revoked_at) for r in rows])


@router.get("/usage", response_model=UsagePage, tags=["sync"])
def usage_delta(device: CurrentDevice, ctx: Ctx, after: After = "0",
                limit: Limit = DEFAULT_PAGE_ITEMS) -> UsagePage:
    """The server's allocation of every redemption on this merchant's programs (this
    device's own included: once accepted, they replace the counter's own draws).

    Apply in order: a draw with ``voided: true`` cancels the draws of that ``rid``
    received so far (a void, or the server re-allocating it after a late arrival:
    the new draws follow).
    """
    mine = select(merchant_programs.c.program_id).where(
        merchant_programs.c.merchant_id == device.merchant_id)
    stmt = select(usage_events).where(usage_events.c.program_id.in_(mine))
    rows, cursor, more = _page(ctx, stmt, usage_events.c.seq, after, limit)
    return UsagePage(cursor=cursor, more=more, items=[
        UsageOut(rid=r.rid, merchant=r.merchant_id, prg=r.program_id, iss=r.iss, sub=r.sub,
                 ent=r.ent, amount=r.amount, units=r.units, at=r.at, voided=bool(r.voided))
        for r in rows])


@router.get("/redemptions/changes", response_model=OutcomePage, tags=["sync"])
def outcome_delta(device: CurrentDevice, ctx: Ctx, after: After = "0",
                  limit: Limit = DEFAULT_PAGE_ITEMS) -> OutcomePage:
    """Later changes to this device's redemptions: a conflict found (or cleared) when
    another device synced an earlier redemption, or a void made elsewhere."""
    stmt = select(outcome_events).where(outcome_events.c.device_id == device.id)
    rows, cursor, more = _page(ctx, stmt, outcome_events.c.seq, after, limit)
    return OutcomePage(cursor=cursor, more=more, items=[
        OutcomeOut(uuid=r.uuid, status=r.status, reason=r.reason,
                   conflict=json.loads(r.conflict) if r.conflict else None,
                   voided=bool(r.voided)) for r in rows])


@router.post("/redemptions", response_model=PushResponse, tags=["sync"])
def push(body: PushRequest, device: CurrentDevice, ctx: Ctx) -> PushResponse:
    """Push a batch of redemptions and voids, each with its UUID; one result per item,
    in order: accepted, duplicate (the recorded ``outcome`` is returned), conflict
    (recorded and flagged), rejected (recorded, with ``reason``), or error
    (``uuid_reused``: the UUID is taken by different content; nothing stored)."""
    results = ingest_push(ctx, device, list(body.items))
    # The results are built to the documented shape (the contract tests check it):
    # returned as they are, not validated twice.
    return JSONResponse({"server_time": ctx.now(), "results": results})  # type: ignore[return-value]


@router.get("/redemptions/{uuid}", response_model=ItemResult, tags=["sync"])
def redemption_status(device: CurrentDevice, ctx: Ctx,
                      uuid: Annotated[str, Path(pattern=UUID_PATTERN)]) -> ItemResult:
    """The recorded result of one of this merchant's redemptions or voids."""
    r = redemptions.c
    with ctx.reader.connect() as conn:
        row = conn.execute(select(r.uuid, r.kind, r.status, r.reason, r.conflict, r.covered,
                                  r.voided_by)
                           .where(r.uuid == uuid, r.merchant_id == device.merchant_id)).first()
    if row is None:
        raise ApiError(404, NOT_FOUND, "No redemption of this merchant has that UUID.")
    return ItemResult(
        uuid=row.uuid, status=row.status, outcome=row.status, reason=row.reason,
        message=reason_message(row.reason) if row.reason else None,
        conflict=json.loads(row.conflict) if row.conflict else None,
        covered=row.covered if row.kind == "redemption" else None,
        voided=row.voided_by is not None)


@router.get("/settlement", response_model=SettlementResponse, tags=["reports"])
def settlement(device: CurrentDevice, ctx: Ctx,
               day: Annotated[date, Query(description="local day, YYYY-MM-DD")]
               ) -> SettlementResponse:
    """This merchant's totals for one day by program, category and status."""
    with ctx.reader.connect() as conn:
        rows = settlement_rows(conn, merchant_id=device.merchant_id, day=day.isoformat())
        flags = open_flags(conn, merchant_id=device.merchant_id)
    return SettlementResponse(day=day.isoformat(), merchant=device.merchant_id,
                              rows=[SettlementRow.model_validate(x) for x in rows],
                              flags=[DeviceFlagOut(device=f.device_id, kind=f.kind, ref=f.ref,
                                                   raised_at=f.raised_at) for f in flags])
