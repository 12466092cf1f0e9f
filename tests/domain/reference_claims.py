"""Claims parsing as it was before the fast path (commit e288104), kept verbatim as the
reference the fast parser is tested against (tests/domain/test_fast_paths.py)."""
from __future__ import annotations

from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from merchant_pos.domain.claims import Claims, Entitlement, Period, Unit
from merchant_pos.domain.errors import CodeRejected, ErrorId

DEFAULT_TZ = "Asia/Shanghai"
BC_KEY = -70001
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _bad(why: str) -> CodeRejected:
    return CodeRejected(ErrorId.MALFORMED, f"claims: {why}")


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(f"{what} is not an integer")
    if not INT64_MIN <= value <= INT64_MAX:
        raise _bad(f"{what} is out of range")
    return value


def _text(value: Any, what: str, lo: int = 1, hi: int = 256) -> str:
    if not isinstance(value, str) or not lo <= len(value) <= hi:
        raise _bad(f"{what} is not a text of {lo}-{hi} characters")
    return value


def _timezone(value: Any) -> str:
    name = _text(value, "tz", 1, 64)
    try:
        zone(name)
    except Exception:
        raise _bad(f"unknown time zone {name!r}") from None
    return name


def parse_entitlement(raw: Any) -> Entitlement:
    if not isinstance(raw, dict):
        raise _bad("entitlement is not a map")
    ent_id = _text(raw.get("id"), "ent.id", 1, 32)
    cats = raw.get("cat")
    if not isinstance(cats, list | tuple) or not 1 <= len(cats) <= 16:
        raise _bad("ent.cat is not an array of 1-16 categories")
    cat = tuple(_text(c, "ent.cat[]", 1, 64) for c in cats)
    try:
        unit = Unit(str(raw.get("unit")))
        per = Period(str(raw.get("per")))
    except ValueError:
        raise _bad("ent.unit or ent.per is unknown") from None
    lim = _int(raw.get("lim"), "ent.lim")
    if lim <= 0:
        raise _bad("ent.lim must be > 0")
    val: int | None = None
    if unit is Unit.COUNT:
        val = _int(raw.get("val"), "ent.val")
        if val <= 0:
            raise _bad("ent.val must be > 0")
    elif "val" in raw:
        raise _bad("ent.val is only for count entitlements")
    once = raw.get("once", False)
    if not isinstance(once, bool):
        raise _bad("ent.once is not a boolean")
    if once and (unit is not Unit.FEN or per is not Period.TOTAL):
        raise _bad("ent.once needs unit fen and per total")
    active_from = _int(raw["from"], "ent.from") if "from" in raw else None
    until = _int(raw["until"], "ent.until") if "until" in raw else None
    return Entitlement(ent_id, cat, unit, lim, per, val, once, active_from, until)


def parse_claims(payload: Any) -> Claims:
    """Step 9: the payload map with every field present and well typed."""
    if not isinstance(payload, dict):
        raise _bad("payload is not a map")
    iss = _text(payload.get(1), "iss")
    sub = _text(payload.get(2), "sub", 1, 64)
    exp = _int(payload.get(4), "exp")
    iat = _int(payload.get(6), "iat")
    cti = payload.get(7)
    if not isinstance(cti, bytes) or not 8 <= len(cti) <= 16:
        raise _bad("cti is not 8-16 bytes")
    bc = payload.get(BC_KEY)
    if not isinstance(bc, dict):
        raise _bad("beneficiary block missing")
    if _int(bc.get("v"), "v") != 1:
        raise _bad("unsupported beneficiary block version")
    prg = _text(bc.get("prg"), "prg", 1, 64)
    nm = _text(bc["nm"], "nm", 0, 64) if "nm" in bc else None
    tz = _timezone(bc["tz"]) if "tz" in bc else DEFAULT_TZ
    ents = bc.get("ent")
    if not isinstance(ents, list | tuple) or not 1 <= len(ents) <= 32:
        raise _bad("ent is not an array of 1-32 entitlements")
    ent = tuple(parse_entitlement(e) for e in ents)
    if len({e.id for e in ent}) != len(ent):
        raise _bad("duplicate entitlement ids")
    return Claims(iss, sub, exp, iat, cti, prg, nm, tz, ent)
