"""Receipt and void-slip content from the ledger (shop, till, operator, balances left).

The remaining balances are computed from the stored code's claims and the usage
recorded up to this redemption (ours and the server's), as the quote saw them
plus this redemption's own draws.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from merchant_pos.domain.claims import Claims, Entitlement, Unit, parse_claims
from merchant_pos.domain.cose import loads_cbor, parse_cose_sign1, unwrap_text
from merchant_pos.domain.quote import UsageRecord, remaining_at
from merchant_pos.printing import messages
from merchant_pos.printing.content import ContentLine, ReceiptContent, Remaining, mask_id
from merchant_pos.store.ledger import Ledger
from merchant_pos.store.models import RedemptionStatus
from merchant_pos.store.receipt_numbers import device_number_in
from merchant_pos.store.usage import usage_for

_REDEMPTION = ("SELECT r.id, r.receipt_no, r.device_id, r.operator_id, r.iss, r.sub, r.prg,"
               " r.code_text, r.created_at, r.total, r.covered, r.pays, r.status,"
               " o.name FROM redemptions AS r LEFT JOIN operators AS o ON o.id = r.operator_id"
               " WHERE r.id = ? OR r.receipt_no = ?")
_VOID = ("SELECT v.reason, v.created_at, o.name FROM voids AS v"
         " LEFT JOIN operators AS o ON o.id = v.supervisor_id WHERE v.redemption_id = ?")


class UnknownReceipt(LookupError):
    """No redemption with that id or receipt number."""


def _claims(code_text: str) -> Claims | None:
    try:  # the row was written only after the code verified: no verification here
        return parse_claims(loads_cbor(parse_cose_sign1(unwrap_text(code_text)).payload))
    except Exception:  # a snapshot-only row (code text dropped): no balances
        return None


def _program(db: sqlite3.Connection, prg: str, language: str) -> tuple[str, str, dict[str, str]]:
    row = db.execute("SELECT name_zh, name_en, time_zone, categories_json FROM programs"
                     " WHERE id = ?", (prg,)).fetchone()
    if row is None:
        tz = db.execute("SELECT time_zone FROM merchant_profile WHERE id = 1").fetchone()
        return prg, tz[0] if tz else "Asia/Shanghai", {}
    zh = not language.startswith("en")
    cats = {c["code"]: (c["name_zh"] if zh else c["name_en"]) or c["code"]
            for c in json.loads(row[3])}
    return (row[0] if zh else row[1]) or prg, row[2], cats


def _entitlement_name(ent: Entitlement, cats: dict[str, str], language: str) -> str:
    sep = "、" if not language.startswith("en") else "/"
    per = messages.text("per_" + ent.per.value, language)
    return f"{sep.join(cats.get(c, c) for c in ent.cat)} {per}"


def _local(epoch: int, tz: ZoneInfo, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return datetime.fromtimestamp(epoch, tz).strftime(fmt)


def _remaining(claims: Claims, at: int, usage: Iterable[UsageRecord], cats: dict[str, str],
               language: str) -> tuple[tuple[Remaining, ...], str | None]:
    left = remaining_at(claims, at, usage)
    tz = claims.zone
    out = []
    ends = [claims.exp]
    for ent in claims.ent:
        if ent.id not in left:
            continue
        until = _local(ent.until - 1, tz, "%Y-%m-%d") if ent.until else None
        if ent.until:
            ends.append(ent.until)
        out.append(Remaining(_entitlement_name(ent, cats, language), ent.unit.value,
                             left[ent.id], until))
    earliest = _local(min(ends) - 1, tz, "%Y-%m-%d")
    return tuple(out), earliest


def receipt_content(ledger: Ledger, key: str, language: str = "zh_CN", *,
                    copy: bool = False) -> ReceiptContent:
    """The receipt of the redemption with id or receipt number ``key``."""
    with ledger.read_raw() as db:
        row = db.execute(_REDEMPTION, (key, key)).fetchone()
        if row is None:
            raise UnknownReceipt(key)
        (rid, receipt_no, device_id, _op, iss, sub, prg, code_text, at, total, covered, pays,
         status, operator) = row
        shop = db.execute("SELECT merchant_name FROM merchant_profile WHERE id = 1").fetchone()
        number = device_number_in(db)
        program, tz_name, cats = _program(db, prg, language)
        lines = tuple(ContentLine(cats.get(cat, cat), qty, amount, line_covered)
                      for cat, amount, qty, line_covered in db.execute(
                          "SELECT cat, amount, qty, covered FROM redemption_lines"
                          " WHERE redemption_id = ? ORDER BY line_no", (rid,)))
        claims = _claims(code_text)
        remaining: tuple[Remaining, ...] = ()
        earliest = None
        name = None
        if claims is not None:
            name = claims.nm
            usage = [u for u in usage_for(db, iss, sub) if u.at <= at]
            if status in (RedemptionStatus.VOIDED.value, RedemptionStatus.REJECTED.value):
                usage += _own_draws(db, rid)
            remaining, earliest = _remaining(claims, at, usage, cats, language)
        void = db.execute(_VOID, (rid,)).fetchone()
    tz = ZoneInfo(tz_name)
    who = f"{name} {mask_id(sub)}" if name else mask_id(sub)
    content = ReceiptContent(
        kind="receipt", language=language, shop=shop[0] if shop else "",
        device=f"{number:02d}" if number is not None else device_id, receipt_no=receipt_no,
        local_time=_local(at, tz), operator=operator or str(_op), beneficiary=who,
        program=program, lines=lines, total=total, covered=covered, paid=pays,
        remaining=remaining, earliest_expiry=earliest,
        pending_upload=status == RedemptionStatus.PENDING.value, copy=copy)
    if void is not None:
        content.extra["voided"] = _local(void[1], tz)
    return content


def _own_draws(db: sqlite3.Connection, rid: str) -> list[UsageRecord]:
    """This redemption's draws (not counted by usage_for once voided or rejected): what
    remained right after it, as first printed."""
    return [UsageRecord(ent, amount, units, at, rid) for ent, amount, units, at in db.execute(
        "SELECT ent, amount, units, at FROM redemption_draws WHERE redemption_id = ?", (rid,))]


def void_content(ledger: Ledger, key: str, language: str = "zh_CN", *,
                 copy: bool = False) -> ReceiptContent:
    """The slip of the void of the redemption with id or receipt number ``key``."""
    base = receipt_content(ledger, key, language)
    with ledger.read_raw() as db:
        row = db.execute(_REDEMPTION, (key, key)).fetchone()
        void = db.execute(_VOID, (row[0],)).fetchone()
        tz_name = _program(db, row[6], language)[1]
    if void is None:
        raise UnknownReceipt(key)
    reason, voided_at, supervisor = void
    return ReceiptContent(
        kind="void", language=language, shop=base.shop, device=base.device,
        receipt_no=base.receipt_no, local_time=base.local_time,
        operator=supervisor or "", beneficiary=base.beneficiary, program=base.program,
        lines=base.lines, total=base.total, covered=base.covered, paid=base.paid,
        pending_upload=False, copy=copy, void_reason=reason,
        void_time=_local(voided_at, ZoneInfo(tz_name)), voided_receipt_time=base.local_time)


def left_text(item: Remaining, language: str) -> str:
    from merchant_pos.domain.money import format_fen

    if item.unit == Unit.COUNT.value:
        return messages.text("left_units", language, item.left)
    return format_fen(item.left, "￥")
