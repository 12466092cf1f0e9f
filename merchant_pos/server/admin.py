"""Administration of the server's database: programs, merchants, devices, keys,
beneficiaries and their codes. Used by the ``merchant-pos-server`` CLI, the demo
seed and the tests; every function takes the engine and the current time.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from merchant_pos.domain.claims import Claims, Entitlement, parse_entitlement, zone
from merchant_pos.domain.cose import ALG_EDDSA, ALG_ES256
from merchant_pos.domain.errors import CodeRejected
from merchant_pos.domain.issuing import IssuerKey, issue_code
from merchant_pos.domain.unlock_code import make_unlock_code
from merchant_pos.server.auth import hash_secret, new_enrollment_code
from merchant_pos.server.database import take_feed_seqs
from merchant_pos.server.schema import (
    beneficiaries,
    categories,
    devices,
    enrollment_codes,
    issued_codes,
    issuer_keys,
    merchant_categories,
    merchant_programs,
    merchants,
    programs,
    revocations,
    standard_items,
)

DAY = 86_400
MERCHANT_KINDS = ("baby_shop", "canteen", "clinic")
ALGS = {"ed25519": ALG_EDDSA, "es256": ALG_ES256}


class AdminError(ValueError):
    """An administrative request that cannot be done, with a message for the operator."""


@dataclass(frozen=True)
class Category:
    id: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class StandardItem:
    id: str
    program: str
    cat: str
    price: int
    name_zh: str
    name_en: str


def _integrity(what: str) -> AdminError:
    return AdminError(f"{what} already exists or refers to something missing")


def create_program(engine: Engine, *, id: str, name_zh: str, name_en: str, tz: str, iss: str,
                   cats: Sequence[Category], entitlements: Sequence[Entitlement],
                   code_valid_days: int, now: int) -> None:
    try:
        zone(tz)
    except Exception:
        raise AdminError(f"unknown time zone {tz!r}") from None
    if not cats:
        raise AdminError("a program needs at least one category")
    cat_ids = {c.id for c in cats}
    for ent in entitlements:
        missing = set(ent.cat) - cat_ids
        if missing:
            raise AdminError(f"entitlement {ent.id} names unknown categories {sorted(missing)}")
    if not 1 <= len(entitlements) <= 32:
        raise AdminError("a program grants 1-32 entitlements")
    try:
        with engine.begin() as conn:
            conn.execute(insert(programs).values(
                id=id, name_zh=name_zh, name_en=name_en, tz=tz, iss=iss,
                entitlements=json.dumps([e.to_json() for e in entitlements]),
                code_valid_days=code_valid_days, created_at=now))
            conn.execute(insert(categories), [
                {"program_id": id, "id": c.id, "name_zh": c.name_zh, "name_en": c.name_en}
                for c in cats])
    except IntegrityError:
        raise _integrity(f"program {id!r}") from None


def parse_entitlements(raw: str) -> list[Entitlement]:
    """A JSON array of entitlements in the spec's shape (section 3)."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise AdminError(f"entitlements are not JSON: {exc}") from None
    if not isinstance(data, list):
        raise AdminError("entitlements are a JSON array")
    try:
        return [parse_entitlement(e) for e in data]
    except CodeRejected as exc:
        raise AdminError(f"bad entitlement: {exc.detail}") from None


def create_merchant(engine: Engine, *, id: str, name: str, kind: str, program_ids: Sequence[str],
                    allowed: Sequence[tuple[str, str]] = (), items: Sequence[StandardItem] = (),
                    max_offline_hours: int = 72, max_unsynced_covered: int = 200_000,
                    now: int) -> None:
    """``allowed``: (program, category) pairs it may redeem; empty = all of its programs'."""
    if kind not in MERCHANT_KINDS:
        raise AdminError(f"kind must be one of {', '.join(MERCHANT_KINDS)}")
    try:
        with engine.begin() as conn:
            known = {
                (r.program_id, r.id)
                for r in conn.execute(select(categories.c.program_id, categories.c.id)
                                      .where(categories.c.program_id.in_(program_ids)))
            }
            missing_programs = set(program_ids) - {p for p, _ in known}
            if missing_programs:
                raise AdminError(f"unknown programs {sorted(missing_programs)}")
            pairs = list(allowed) or sorted(known)
            bad = [p for p in pairs if p not in known]
            bad += [(i.program, i.cat) for i in items if (i.program, i.cat) not in known]
            if bad:
                raise AdminError(f"unknown program:category {bad[0][0]}:{bad[0][1]}")
            conn.execute(insert(merchants).values(
                id=id, name=name, kind=kind, max_offline_hours=max_offline_hours,
                max_unsynced_covered=max_unsynced_covered, created_at=now))
            conn.execute(insert(merchant_programs),
                         [{"merchant_id": id, "program_id": p} for p in program_ids])
            conn.execute(insert(merchant_categories), [
                {"merchant_id": id, "program_id": p, "category_id": c} for p, c in pairs])
            if items:
                conn.execute(insert(standard_items), [
                    {"merchant_id": id, "id": i.id, "program_id": i.program,
                     "category_id": i.cat, "name_zh": i.name_zh, "name_en": i.name_en,
                     "price": i.price} for i in items])
    except IntegrityError:
        raise _integrity(f"merchant {id!r}") from None


def create_enrollment_code(engine: Engine, merchant_id: str, *, hours: float, now: int) -> str:
    code = new_enrollment_code()
    with engine.begin() as conn:
        if conn.scalar(select(merchants.c.id).where(merchants.c.id == merchant_id)) is None:
            raise AdminError(f"unknown merchant {merchant_id!r}")
        conn.execute(insert(enrollment_codes).values(
            code_hash=hash_secret(code), merchant_id=merchant_id, created_at=now,
            expires_at=now + int(hours * 3600)))
    return code


def revoke_device(engine: Engine, device_id: str, *, now: int) -> None:
    with engine.begin() as conn:
        done = conn.execute(update(devices).where(devices.c.id == device_id,
                                                  devices.c.revoked_at.is_(None))
                            .values(revoked_at=now)).rowcount
    if done != 1:
        raise AdminError(f"no active device {device_id!r}")


def make_device_unlock_codes(engine: Engine, device_id: str, operator: str,
                             expires: int) -> list[str]:
    """One-time unlock codes for ``operator`` at ``device_id``, keyed by its token hash;
    a second one for the next token while a token rotation is under way."""
    with engine.connect() as conn:
        row = conn.execute(select(devices.c.token_hash, devices.c.next_token_hash).where(
            devices.c.id == device_id, devices.c.revoked_at.is_(None))).first()
    if row is None:
        raise AdminError(f"no active device {device_id!r}")
    if not operator.strip():
        raise AdminError("name the operator to unlock")
    return [make_unlock_code(bytes.fromhex(h), device_id, operator, expires)
            for h in (row.token_hash, row.next_token_hash) if h]


def create_key(engine: Engine, *, iss: str, alg: str = "ed25519", valid_days: int = 730,
               now: int, key: IssuerKey | None = None) -> str:
    """A new issuer signing key; its private half stays in this database. Returns kid hex."""
    if key is None:
        if alg not in ALGS:
            raise AdminError(f"alg must be one of {', '.join(ALGS)}")
        key = IssuerKey.generate(ALGS[alg], iss, now - DAY, now + valid_days * DAY)
    try:
        with engine.begin() as conn:
            conn.execute(insert(issuer_keys).values(
                kid=key.kid.hex(), alg=key.alg, iss=key.iss, public_key=key.raw_public_key,
                private_pem=key.to_pem().decode(), not_before=key.not_before,
                not_after=key.not_after, created_at=now))
    except IntegrityError:
        raise _integrity(f"key {key.kid.hex()}") from None
    return key.kid.hex()


def retire_key(engine: Engine, kid: str, *, withdraw: bool, now: int) -> None:
    """Stop signing with a key; ``withdraw`` also drops it from the trust list."""
    values: dict[str, int] = {"retired_at": now}
    if withdraw:
        values["withdrawn_at"] = now
    with engine.begin() as conn:
        done = conn.execute(update(issuer_keys).where(issuer_keys.c.kid == kid.lower())
                            .values(**values)).rowcount
    if done != 1:
        raise AdminError(f"unknown key {kid!r}")


def signing_key(engine: Engine, iss: str, now: int) -> tuple[IssuerKey, str]:
    k = issuer_keys.c
    with engine.connect() as conn:
        row = conn.execute(
            select(k.kid, k.private_pem, k.not_before, k.not_after)
            .where(k.iss == iss, k.retired_at.is_(None), k.withdrawn_at.is_(None),
                   k.not_before <= now, k.not_after > now)
            .order_by(k.created_at.desc(), k.kid).limit(1)).first()
    if row is None:
        raise AdminError(f"no active key for issuer {iss!r}: run `key create --iss {iss}`")
    key = IssuerKey.from_pem(row.private_pem.encode(), iss, row.not_before, row.not_after)
    return key, row.kid


def mask_name(name: str) -> str:
    """马小花 → 马*花, 马花 → 马*: the issuer masks names before they go into a code."""
    name = name.strip()
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def add_beneficiary(engine: Engine, *, program_id: str, name: str, now: int,
                    sub: str | None = None) -> str:
    sub = sub or f"B-{os.urandom(6).hex().upper()}"
    try:
        with engine.begin() as conn:
            if conn.scalar(select(programs.c.id).where(programs.c.id == program_id)) is None:
                raise AdminError(f"unknown program {program_id!r}")
            conn.execute(insert(beneficiaries).values(
                sub=sub, program_id=program_id, name_masked=mask_name(name), created_at=now))
    except IntegrityError:
        raise _integrity(f"beneficiary {sub!r}") from None
    return sub


def _revoke(engine: Engine, kind: str, value: str, reason: str, now: int) -> bool:
    with engine.begin() as conn:
        exists = conn.scalar(select(revocations.c.seq).where(revocations.c.kind == kind,
                                                             revocations.c.value == value))
        if exists is not None:
            return False
        if kind == "sub":
            conn.execute(update(beneficiaries).where(beneficiaries.c.sub == value)
                         .values(revoked_at=now))
        (seq,) = take_feed_seqs(conn, 1)
        conn.execute(insert(revocations).values(seq=seq, kind=kind, value=value,
                                                revoked_at=now, reason=reason[:200]))
    return True


def revoke_beneficiary(engine: Engine, sub: str, *, reason: str, now: int) -> bool:
    with engine.connect() as conn:
        if conn.scalar(select(beneficiaries.c.sub).where(beneficiaries.c.sub == sub)) is None:
            raise AdminError(f"unknown beneficiary {sub!r}")
    return _revoke(engine, "sub", sub, reason, now)


def revoke_code(engine: Engine, cti_hex: str, *, reason: str, now: int) -> bool:
    with engine.connect() as conn:
        found = conn.scalar(select(issued_codes.c.cti).where(issued_codes.c.cti == cti_hex.lower()))
    if found is None:
        raise AdminError(f"no issued code with cti {cti_hex!r}")
    return _revoke(engine, "cti", cti_hex.lower(), reason, now)


@dataclass(frozen=True)
class IssuedCode:
    text: str
    cti: str
    sub: str
    exp: int


def issue_beneficiary_code(engine: Engine, sub: str, *, now: int, valid_days: int | None = None,
                           cti: bytes | None = None) -> IssuedCode:
    """A BC1 code for a beneficiary with the entitlements of their program."""
    with engine.connect() as conn:
        ben = conn.execute(select(beneficiaries).where(beneficiaries.c.sub == sub)).first()
        if ben is None:
            raise AdminError(f"unknown beneficiary {sub!r}")
        if ben.revoked_at is not None:
            raise AdminError(f"beneficiary {sub!r} is revoked")
        prog = conn.execute(select(programs).where(programs.c.id == ben.program_id)).one()
    key, kid = signing_key(engine, prog.iss, now)
    ents = tuple(parse_entitlement(e) for e in json.loads(prog.entitlements))
    days = valid_days if valid_days is not None else prog.code_valid_days
    exp = min(now + days * DAY, key.not_after)
    claims = Claims(iss=prog.iss, sub=sub, exp=exp, iat=now, cti=cti or os.urandom(12),
                    prg=prog.id, nm=ben.name_masked, tz=prog.tz, ent=ents)
    text = issue_code(key, claims)
    with engine.begin() as conn:
        conn.execute(insert(issued_codes).values(
            cti=claims.cti.hex(), sub=sub, program_id=prog.id, kid=kid, iat=now, exp=exp,
            text=text))
    return IssuedCode(text, claims.cti.hex(), sub, exp)


def qr_symbol(text: str) -> Any:
    """The code as a QR symbol: level M, alphanumeric mode (Base45 fits it)."""
    import segno

    return segno.make_qr(text, error="m", mode="alphanumeric", boost_error=False)


def write_qr_png(text: str, path: str, *, scale: int = 6) -> None:
    qr_symbol(text).save(path, kind="png", scale=scale, border=4)
