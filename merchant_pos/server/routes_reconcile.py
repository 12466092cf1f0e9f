"""/v1/device/redemptions: this device's redemptions of one business day, as the server
holds them, for the counter's reconciliation (issue 12).

The day is the server's: the local date of the redemption in its program's
zone (``redemptions.day``). Paged by the server's row id (``after`` cursor),
like the delta feeds; the list of a past day only changes when a verdict does.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import Field
from sqlalchemy import select

from merchant_pos.server.api_errors import ERROR_RESPONSES, reject_unknown_query
from merchant_pos.server.api_models import DEFAULT_PAGE_ITEMS, MAX_PAGE_ITEMS, Reply
from merchant_pos.server.auth import Ctx, CurrentDevice
from merchant_pos.server.schema import redemptions

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES,
                   dependencies=[Depends(reject_unknown_query)])


class DayRedemption(Reply):
    uuid: str
    receipt: str | None
    status: str = Field(description="accepted, conflict, rejected or voided")
    reason: str | None = Field(description="why rejected / the conflict's kind")
    at: int
    total: int
    covered: int = Field(description="covered fen as the device recorded it")
    quote_covered: int | None = Field(description="what the server's own quote covered")
    reimbursable: int = Field(description="what the foundation owes for it: covered when "
                                          "accepted, the server's quote for a conflict, "
                                          "0 when rejected or voided")
    voided_at: int | None


class DayRedemptionPage(Reply):
    day: str
    items: list[DayRedemption]
    cursor: str
    more: bool


def reimbursable(status: str, covered: int, quote_covered: int | None) -> int:
    if status == "accepted":
        return covered
    if status == "conflict":
        return min(covered, quote_covered or 0)
    return 0


@router.get("/device/redemptions", response_model=DayRedemptionPage, tags=["reports"])
def day_redemptions(
    device: CurrentDevice, ctx: Ctx,
    day: Annotated[date, Query(description="business day, YYYY-MM-DD")],
    after: Annotated[str, Query(pattern=r"^[0-9]{1,18}$", description="cursor")] = "0",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_ITEMS)] = DEFAULT_PAGE_ITEMS,
) -> DayRedemptionPage:
    """This device's redemptions of ``day`` with the server's verdicts, in pages."""
    r = redemptions.c
    stmt = (select(r.id, r.uuid, r.status, r.reason, r.at, r.total, r.covered,
                   r.quote_covered, r.voided_at, r.voided_by, r.body)
            .where(r.device_id == device.id, r.kind == "redemption",
                   r.day == day.isoformat(), r.id > int(after))
            .order_by(r.id).limit(limit + 1))
    with ctx.reader.connect() as conn:
        rows = list(conn.execute(stmt).all())
    more = len(rows) > limit
    rows = rows[:limit]
    items = []
    for row in rows:
        status = "voided" if row.voided_by is not None else row.status
        items.append(DayRedemption(
            uuid=row.uuid, receipt=_receipt(row.body), status=status, reason=row.reason,
            at=row.at, total=row.total, covered=row.covered, quote_covered=row.quote_covered,
            reimbursable=reimbursable(status, row.covered, row.quote_covered),
            voided_at=row.voided_at))
    cursor = str(rows[-1].id) if rows else after
    return DayRedemptionPage(day=day.isoformat(), items=items, cursor=cursor, more=more)


def _receipt(body: str) -> str | None:
    import json

    try:
        value = json.loads(body).get("receipt")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None
