"""``merchant-pos inspect``: verify a code and explain it, for support staff and the demo."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_USAGE, EXIT_REJECTED = 0, 1, 2


def register(sub: Any) -> None:
    p = sub.add_parser("inspect", help="verify a BC1 code offline and explain what it covers")
    p.add_argument("code", metavar="CODE_OR_@FILE", help="the code text, or @FILE to read it")
    p.add_argument("--trust", type=Path, help="trust list JSON (default: the demo trust list)")
    p.add_argument("--revoked", type=Path, help='revocations JSON {"cti": [hex], "sub": [...]}')
    p.add_argument("--programs", help="comma-separated programs this merchant takes part in")
    p.add_argument("--now", type=int, help="epoch seconds to verify at (default: now)")
    p.add_argument("--cart", help="cart lines as a JSON array, or @FILE")
    p.add_argument("--usage", type=Path, help="usage records JSON array")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--lang", choices=["zh_CN", "en"], help="language of the text output")
    p.set_defaults(func=run)


class UsageError(Exception):
    pass


def _read_text(arg: str) -> str:
    if arg.startswith("@"):
        try:
            return Path(arg[1:]).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise UsageError(f"cannot read {arg[1:]}: {exc.strerror}") from None
    return arg


def _load_json(path_or_text: str | Path, what: str) -> Any:
    try:
        if isinstance(path_or_text, Path):
            return json.loads(path_or_text.read_text(encoding="utf-8"))
        return json.loads(_read_text(path_or_text))
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path_or_text}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"{what} is not valid JSON: {exc}") from None


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except UsageError as exc:
        print(f"merchant-pos inspect: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _run(args: argparse.Namespace) -> int:
    from merchant_pos.domain import CodeRejected, RevocationList, TrustList, verify
    from merchant_pos.domain.describe import describe_claims, describe_quote
    from merchant_pos.domain.quote import CartLine, QuoteInputError, UsageRecord, quote
    from merchant_pos.domain.trust import TrustListError
    from merchant_pos.resources import resource, user_language

    lang = args.lang or user_language()
    text = _read_text(args.code)
    now = args.now if args.now is not None else int(time.time())
    try:
        trust = TrustList.from_json(
            _load_json(args.trust or resource("demo", "trust-list.json"), "trust list"))
        revoked = (RevocationList.from_json(_load_json(args.revoked, "revocation list"))
                   if args.revoked else RevocationList())
        cart = ([CartLine.from_json(x) for x in _as_list(_load_json(args.cart, "cart"), "cart")]
                if args.cart else None)
        usage = ([UsageRecord.from_json(x) for x in _as_list(_load_json(args.usage, "usage"),
                                                               "usage")]
                 if args.usage else [])
    except (TrustListError, QuoteInputError) as exc:
        raise UsageError(str(exc)) from None
    programs = [p for p in args.programs.split(",") if p] if args.programs else None

    try:
        code = verify(text, trust, now, revoked=revoked, programs=programs)
    except CodeRejected as rejected:
        if args.json:
            print(json.dumps({"ok": False, "error": rejected.error.value,
                              "message": rejected.message(lang), "claims": None, "quote": None},
                             ensure_ascii=False))
        else:
            print(f"✗ {rejected.message(lang)} [{rejected.error.value}]")
        return EXIT_REJECTED

    result = quote(code.claims, now, cart, usage) if cart is not None else None
    if args.json:
        claims = code.claims.to_json()
        claims["tz"] = code.claims.tz
        claims["ent"] = [e.to_json() for e in code.claims.ent]
        print(json.dumps({"ok": True, "error": None, "claims": claims,
                          "quote": result.to_json() if result else None}, ensure_ascii=False))
        return EXIT_OK
    print("✓ " + ("Code verified" if lang == "en" else "受助码验证通过"))
    for line in describe_claims(code.claims, lang):
        print(line)
    if result is not None:
        print("Quote:" if lang == "en" else "报价：")
        for line in describe_quote(result, lang):
            print(line)
    return EXIT_OK


def _as_list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise UsageError(f"{what} must be a JSON array")
    return value
