"""/v1 routes about the device itself: health, enrollment, config, trust list, audit head."""

from __future__ import annotations

import base64
import uuid as uuidlib
from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy import Connection, Row, select, update

from merchant_pos import __version__
from merchant_pos.domain.limits import LIMITS
from merchant_pos.server.api_errors import (
    ENROLLMENT_CODE_EXPIRED,
    ENROLLMENT_CODE_UNKNOWN,
    ENROLLMENT_CODE_USED,
    ERROR_RESPONSES,
    ApiError,
    reject_unknown_query,
)
from merchant_pos.server.api_models import (
    MAX_PAGE_ITEMS,
    MAX_PUSH_ITEMS,
    AuditHead,
    AuditHeadOut,
    CategoryOut,
    ConfigResponse,
    DeviceOut,
    EnrollRequest,
    EnrollResponse,
    Health,
    LimitsOut,
    MerchantOut,
    Names,
    Policies,
    ProgramOut,
    StandardItemOut,
    TokenRotation,
    TrustedKeyOut,
    TrustListResponse,
)
from merchant_pos.server.audit_anchor import anchor
from merchant_pos.server.auth import (
    Ctx,
    CurrentDevice,
    Device,
    hash_secret,
    new_token,
    normalise_enrollment_code,
)
from merchant_pos.server.device_numbers import assign_device_number, device_number
from merchant_pos.server.device_tokens import REPLAY_GRACE_SECONDS, seal_token, unseal_token
from merchant_pos.server.schema import (
    categories,
    devices,
    enrollment_codes,
    merchant_categories,
    merchant_programs,
    merchants,
    programs,
    standard_items,
)
from merchant_pos.server.trust_source import trusted_keys

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES,
                   dependencies=[Depends(reject_unknown_query)])


@router.get("/health", response_model=Health, tags=["device"])
def health(ctx: Ctx) -> Health:
    """Liveness without authentication (also the readiness probe of the embedded server)."""
    return Health(status="ok", server_time=ctx.now(), version=__version__)


@router.post("/devices/enroll", response_model=EnrollResponse, status_code=201, tags=["device"])
def enroll(body: EnrollRequest, ctx: Ctx) -> EnrollResponse:
    """Trade a one-time enrollment code for a device id and its secret token.

    With a ``request_id``, a repeat of the same request (its answer was lost) gets
    the same device and token back, until the device first syncs."""
    try:
        return _enroll_once(body, ctx)
    except _TakenMeanwhile:  # a concurrent attempt took the code: perhaps our own retry
        return _enroll_once(body, ctx)


class _TakenMeanwhile(Exception):
    pass


def _enroll_once(body: EnrollRequest, ctx: Ctx) -> EnrollResponse:
    now = ctx.now()
    code_hash = hash_secret(normalise_enrollment_code(body.code))
    e = enrollment_codes.c
    with ctx.engine.begin() as conn:
        row = conn.execute(select(e.merchant_id, e.expires_at, e.used_at, e.device_id,
                                  e.request_hash, e.token_sealed)
                           .where(e.code_hash == code_hash)).first()
        if row is None:
            raise ApiError(404, ENROLLMENT_CODE_UNKNOWN, "This enrollment code does not exist.")
        if row.used_at is not None:
            again = _repeated_answer(conn, row, body, now)
            if again is not None:
                return again
            raise ApiError(409, ENROLLMENT_CODE_USED, "This enrollment code was already used.")
        if now >= row.expires_at:
            raise ApiError(410, ENROLLMENT_CODE_EXPIRED, "This enrollment code has expired.")
        token = new_token()
        device_id = str(uuidlib.uuid4())
        taken = conn.execute(
            update(enrollment_codes)
            .where(e.code_hash == code_hash, e.used_at.is_(None))
            .values(used_at=now, device_id=device_id,
                    request_hash=hash_secret(body.request_id) if body.request_id else None,
                    token_sealed=seal_token(token, body.request_id) if body.request_id
                    else None)
        ).rowcount
        if taken != 1:
            raise _TakenMeanwhile()
        conn.execute(devices.insert().values(
            id=device_id, merchant_id=row.merchant_id, name=body.name,
            token_hash=hash_secret(token), created_at=now, token_issued_at=now,
            last_sync_at=now))
        number = assign_device_number(conn, merchant_id=row.merchant_id, device_id=device_id,
                                      install_id=body.install_id, now=now)
        merchant_name = conn.scalar(select(merchants.c.name)
                                    .where(merchants.c.id == row.merchant_id))
    return EnrollResponse(device_id=device_id, device_number=number, token=token,
                          merchant_id=row.merchant_id, merchant_name=merchant_name or "",
                          server_time=now)


def _repeated_answer(conn: Connection, row: Row[Any, Any, Any, Any, Any, Any], body: EnrollRequest,
                     now: int) -> EnrollResponse | None:
    """The answer already given to this very request, if it is one and may be repeated:
    same request id, within the grace time, and the device has not used its token yet."""
    if not body.request_id or row.request_hash != hash_secret(body.request_id) \
            or row.token_sealed is None or now > row.used_at + REPLAY_GRACE_SECONDS:
        return None
    token = unseal_token(row.token_sealed, body.request_id)
    device = conn.execute(select(devices.c.token_hash, devices.c.revoked_at)
                          .where(devices.c.id == row.device_id)).first()
    if token is None or device is None or device.revoked_at is not None \
            or device.token_hash != hash_secret(token):
        return None
    merchant_name = conn.scalar(select(merchants.c.name).where(merchants.c.id == row.merchant_id))
    number = assign_device_number(conn, merchant_id=row.merchant_id, device_id=row.device_id,
                                  install_id=body.install_id, now=now)  # the same one again
    return EnrollResponse(device_id=row.device_id, device_number=number,
                          token=token, merchant_id=row.merchant_id,
                          merchant_name=merchant_name or "", server_time=now)


def _note_sync(ctx: Ctx, device: Device) -> str | None:
    """A sync began: the token's clock restarts, the repeatable enrollment answer is
    forgotten, and a successor token is handed out when the current one is old enough
    (replacing one handed out before and never used: its answer was lost)."""
    now = ctx.now()
    successor = None
    values: dict[str, Any] = {"last_sync_at": now}
    if now - device.token_issued_at >= ctx.tokens.rotate_after_seconds:
        successor = new_token()
        values["next_token_hash"] = hash_secret(successor)
    with ctx.engine.begin() as conn:
        conn.execute(update(devices).where(devices.c.id == device.id).values(**values))
        conn.execute(update(enrollment_codes)
                     .where(enrollment_codes.c.device_id == device.id,
                            enrollment_codes.c.token_sealed.is_not(None))
                     .values(token_sealed=None))
    return successor


@router.get("/config", response_model=ConfigResponse, tags=["device"])
def config(device: CurrentDevice, ctx: Ctx) -> ConfigResponse:
    """The merchant's profile, programs, categories, standard items and policies; the
    first call of every sync, so it also restarts the token's clock and now and then
    hands out a successor token (``token.next``)."""
    successor = _note_sync(ctx, device)
    with ctx.reader.connect() as conn:
        m = conn.execute(select(merchants).where(merchants.c.id == device.merchant_id)).one()
        prog_rows = conn.execute(
            select(programs)
            .join(merchant_programs, merchant_programs.c.program_id == programs.c.id)
            .where(merchant_programs.c.merchant_id == device.merchant_id).order_by(programs.c.id)
        ).all()
        allowed: dict[str, list[str]] = {}
        for row in conn.execute(select(merchant_categories)
                                .where(merchant_categories.c.merchant_id == device.merchant_id)
                                .order_by(merchant_categories.c.category_id)):
            allowed.setdefault(row.program_id, []).append(row.category_id)
        cats: dict[str, list[CategoryOut]] = {}
        for row in conn.execute(select(categories).order_by(categories.c.program_id,
                                                            categories.c.id)):
            cats.setdefault(row.program_id, []).append(
                CategoryOut(id=row.id, name=Names(zh_CN=row.name_zh, en=row.name_en)))
        items = conn.execute(select(standard_items)
                             .where(standard_items.c.merchant_id == device.merchant_id)
                             .order_by(standard_items.c.id)).all()
        number = device_number(conn, device.id)
    return ConfigResponse(
        server_time=ctx.now(),
        merchant=MerchantOut(id=m.id, name=m.name, kind=m.kind),
        device=DeviceOut(id=device.id, name=device.name, number=number),
        programs=[ProgramOut(id=p.id, name=Names(zh_CN=p.name_zh, en=p.name_en), tz=p.tz,
                             iss=p.iss, categories=cats.get(p.id, []),
                             allowed_categories=allowed.get(p.id, []))
                  for p in prog_rows],
        standard_items=[StandardItemOut(id=i.id, program=i.program_id, cat=i.category_id,
                                        name=Names(zh_CN=i.name_zh, en=i.name_en),
                                        price=i.price) for i in items],
        policies=Policies(max_offline_hours=m.max_offline_hours,
                          max_unsynced_covered=m.max_unsynced_covered,
                          max_push_items=MAX_PUSH_ITEMS, max_page_items=MAX_PAGE_ITEMS,
                          limits=LimitsOut(**LIMITS.to_json()),
                          token_ttl_hours=ctx.tokens.ttl_for(m.max_offline_hours) // 3600,
                          idle_lock_minutes=ctx.idle_lock_minutes),
        token=TokenRotation(next=successor) if successor else None,
    )


@router.get("/trust-list", response_model=TrustListResponse, tags=["sync"])
def trust_list(device: CurrentDevice, ctx: Ctx) -> TrustListResponse:
    """Every issuer public key a code may be signed with (small: sent whole)."""
    with ctx.reader.connect() as conn:
        keys = trusted_keys(conn)
    return TrustListResponse(server_time=ctx.now(), keys=[
        TrustedKeyOut(kid=base64.b64encode(k.kid).decode(), alg=k.alg,
                      key=base64.b64encode(k.raw_key).decode(), iss=k.iss,
                      not_before=k.not_before, not_after=k.not_after) for k in keys])


@router.put("/device/audit-head", response_model=AuditHeadOut, tags=["sync"])
def put_audit_head(body: AuditHead, device: CurrentDevice, ctx: Ctx) -> AuditHeadOut:
    """Store a head without its rows (older clients; ``POST /v1/device/audit`` sends the
    rows): checked like any upload, so going back or moving on unlinked raises a flag."""
    now = ctx.now()
    with ctx.engine.begin() as conn:
        anchor(conn, device, [], body.seq, body.head, body.at, now)
    return AuditHeadOut(seq=body.seq, head=body.head, at=body.at, received_at=now)


@router.get("/device/audit-head", response_model=AuditHeadOut | None, tags=["sync"])
def get_audit_head(device: CurrentDevice, ctx: Ctx) -> AuditHeadOut | None:
    """The last audit head this device sent (null before the first)."""
    with ctx.reader.connect() as conn:
        row = conn.execute(select(devices.c.audit_seq, devices.c.audit_head, devices.c.audit_at,
                                  devices.c.audit_received_at)
                           .where(devices.c.id == device.id)).one()
    if row.audit_seq is None:
        return None
    return AuditHeadOut(seq=row.audit_seq, head=row.audit_head, at=row.audit_at,
                        received_at=row.audit_received_at)
