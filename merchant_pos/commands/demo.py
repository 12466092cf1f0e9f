"""``merchant-pos demo``: the product on its bundled demo data, no server needed.

For now this verifies the three bundled demo codes offline and quotes a
typical cart for each (baby shop, canteen, clinic); the counter GUI takes
over this command when it lands.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

DEMO_CARTS = {
    "baby": [{"cat": "formula", "amount": 16800, "qty": 1},
             {"cat": "diaper", "amount": 5900, "qty": 1}],
    "meal": [{"cat": "meal", "amount": 1500, "qty": 1}],
    "clinic": [{"cat": "checkup", "amount": 3000, "qty": 1},
               {"cat": "medicine", "amount": 1250, "qty": 1}],
}


def register(sub: Any) -> None:
    p = sub.add_parser("demo", help="run merchant-pos on its bundled demo data")
    p.add_argument("--lang", choices=["zh_CN", "en"], help="language of the output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from merchant_pos.commands import inspect
    from merchant_pos.resources import resource, user_language

    lang = args.lang or user_language()
    status = 0
    for name, cart in DEMO_CARTS.items():
        print(f"\n=== {name}: {resource('demo', f'{name}-code.txt')}")
        ns = argparse.Namespace(
            code=f"@{resource('demo', f'{name}-code.txt')}", trust=None, revoked=None,
            programs=None, now=None, cart=json.dumps(cart), usage=None, json=False, lang=lang)
        status = max(status, inspect.run(ns))
    return status
