"""``merchant-pos self-test``: check this installation, one line per check, exit 0 or 1."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("self-test", help="check that this installation works (exit 0 or 1)")
    p.add_argument("--lang", choices=["zh_CN", "en"], help="language of the report")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from merchant_pos.resources import user_language
    from merchant_pos.selftest import SelfCheck, run_checks, summary
    from merchant_pos.selftest.checks import (
        cameras_check,
        decode_check,
        ledger_check,
        verify_check,
    )

    lang = args.lang or user_language()

    def qt() -> str:
        from merchant_pos.ui.self_check import qt_check

        return qt_check()

    def translations() -> str:
        from merchant_pos.ui.self_check import translations_check

        return translations_check()

    results = run_checks([
        (SelfCheck.QT, qt),
        (SelfCheck.TRANSLATIONS, translations),
        (SelfCheck.LEDGER, ledger_check),
        (SelfCheck.DECODE, decode_check),
        (SelfCheck.VERIFY, verify_check),
        (SelfCheck.CAMERAS, cameras_check),
    ])
    for result in results:
        print(result.line(lang), flush=True)
    print(summary(results, lang))
    return 0 if all(r.ok for r in results) else 1
