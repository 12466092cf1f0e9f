"""Plain-words descriptions of claims and quotes, for support tools and receipts."""

from __future__ import annotations

from datetime import datetime

from merchant_pos.domain.claims import Claims, Entitlement, Period, Unit
from merchant_pos.domain.money import format_fen
from merchant_pos.domain.quote import Quote

_PERIOD_WORDS = {
    "en": {Period.TOTAL: "in total", Period.DAY: "per day", Period.WEEK: "per week",
           Period.MONTH: "per month", Period.YEAR: "per year"},
    "zh_CN": {Period.TOTAL: "共计", Period.DAY: "每天", Period.WEEK: "每周",
              Period.MONTH: "每月", Period.YEAR: "每年"},
}
_REASONS = {
    "en": {"category_not_covered": "not covered by this code",
           "not_active": "entitlement not active now", "limit_reached": "limit reached"},
    "zh_CN": {"category_not_covered": "此类商品不在补助范围",
              "not_active": "补助当前不在有效期", "limit_reached": "额度已用完"},
}


def _lang(language: str) -> str:
    return "en" if language.startswith("en") else "zh_CN"


def describe_entitlement(ent: Entitlement, language: str = "zh_CN") -> str:
    lang = _lang(language)
    per = _PERIOD_WORDS[lang][ent.per]
    cats = ", ".join(ent.cat) if lang == "en" else "、".join(ent.cat)
    if ent.unit is Unit.FEN:
        amount = format_fen(ent.lim)
        if lang == "en":
            text = f"{amount} {per} for {cats}" + (" (single use)" if ent.once else "")
        else:
            text = f"{per}{amount}，可用于{cats}" + ("（一次性）" if ent.once else "")
    else:
        val = format_fen(ent.val or 0)
        if lang == "en":
            text = f"{ent.lim} × {cats} {per}, up to {val} each"
        else:
            text = f"{per}{ent.lim}次{cats}，每次最多{val}"
    return text


def describe_claims(claims: Claims, language: str = "zh_CN") -> list[str]:
    lang = _lang(language)
    tz = claims.zone
    exp = datetime.fromtimestamp(claims.exp, tz).strftime("%Y-%m-%d %H:%M")
    name = claims.nm or ("(no name)" if lang == "en" else "（无姓名）")
    if lang == "en":
        head = [f"Beneficiary {name} ({claims.sub}), program {claims.prg}, issuer {claims.iss}",
                f"Valid until {exp} ({claims.tz})"]
    else:
        head = [f"受助人 {name}（{claims.sub}），项目 {claims.prg}，签发方 {claims.iss}",
                f"有效期至 {exp}（{claims.tz}）"]
    return head + [f"  [{e.id}] {describe_entitlement(e, lang)}" for e in claims.ent]


def describe_quote(result: Quote, language: str = "zh_CN") -> list[str]:
    lang = _lang(language)
    out = []
    for line in result.lines:
        note = f" ({_REASONS[lang][line.reason]})" if line.reason else ""
        draws = ", ".join(f"{k} {format_fen(v)}" for k, v in line.draws.items())
        out.append(f"  {line.line.cat} ×{line.line.qty} {format_fen(line.line.amount)}: "
                   f"{format_fen(line.covered)}{note}" + (f" [{draws}]" if draws else ""))
    if lang == "en":
        out.append(f"Total {format_fen(result.total)}, covered {format_fen(result.covered)}, "
                   f"customer pays {format_fen(result.pays)}")
    else:
        out.append(f"合计 {format_fen(result.total)}，补助 {format_fen(result.covered)}，"
                   f"顾客支付 {format_fen(result.pays)}")
    return out
