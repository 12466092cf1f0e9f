"""``merchant-pos inspect``: verify a code and explain it, for support staff and the demo."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from merchant_pos.domain import RevocationList, TrustList

EXIT_OK, EXIT_USAGE, EXIT_REJECTED = 0, 1, 2


def register(sub: Any) -> None:
    p = sub.add_parser("inspect", help="verify a BC1 code offline and explain what it covers")
    p.add_argument("code", metavar="CODE_OR_@FILE", help="the code text, or @FILE to read it")
    p.add_argument("--trust", type=Path,
                   help="trust list JSON (default: this counter's synced trust list)")
    p.add_argument("--demo", action="store_true",
                   help="verify against the bundled demo trust list")
    p.add_argument("--data-dir", type=Path,
                   help="the counter's data folder whose synced trust list, revocations and "
                        "programs are used (default: the user's data folder)")
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
    counter = None
    if args.trust is None and not args.demo:
        counter = _counter_reference(args.data_dir)
    try:
        if counter is not None:
            trust = counter.trust
        else:
            trust = TrustList.from_json(
                _load_json(args.trust or resource("demo", "trust-list.json"), "trust list"))
        if args.revoked:
            revoked = RevocationList.from_json(_load_json(args.revoked, "revocation list"))
        else:
            revoked = counter.revoked if counter is not None else RevocationList()
        cart = ([CartLine.from_json(x) for x in _as_list(_load_json(args.cart, "cart"), "cart")]
                if args.cart else None)
        usage = ([UsageRecord.from_json(x) for x in _as_list(_load_json(args.usage, "usage"),
                                                               "usage")]
                 if args.usage else [])
    except (TrustListError, QuoteInputError) as exc:
        raise UsageError(str(exc)) from None
    programs = [p for p in args.programs.split(",") if p] if args.programs else None
    if programs is None and counter is not None:
        programs = counter.programs

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


@dataclass(frozen=True)
class CounterReference:
    """What this counter last synced: issuer keys, revocations, its programs."""

    trust: TrustList
    revoked: RevocationList
    programs: list[str] | None


def _counter_reference(data_dir: Path | None) -> CounterReference:
    from merchant_pos.store import Ledger, LedgerError, MerchantSettingsStore
    from merchant_pos.store.paths import data_dir as default_data_dir
    from merchant_pos.store.paths import ledger_path
    from merchant_pos.store.reference import TrustStore

    folder = default_data_dir(data_dir)
    if not ledger_path(folder).exists():
        raise UsageError(f"no counter ledger in {folder}: pass --trust FILE, "
                         "--data-dir of an enrolled counter, or --demo for the demo's keys")
    try:
        with Ledger.open(folder, background_checkpoints=False) as ledger:
            store = TrustStore(ledger)
            trust, revoked = store.trust_list(), store.revocations()
            profile = MerchantSettingsStore(ledger).load_profile()
    except LedgerError as exc:
        raise UsageError(exc.message("en")) from None
    if len(trust) == 0:
        raise UsageError(f"the counter in {folder} has not synced a trust list yet: "
                         "sync it, or pass --trust FILE or --demo")
    return CounterReference(trust, revoked,
                            list(profile.programs) if profile is not None else None)
