"""``merchant-pos-server``: administer and run the reference central server.

    merchant-pos-server --db URL init
    merchant-pos-server program create --id P --name-zh .. --name-en .. --category id:中文:English
        --entitlements '[{"id": "meal", "cat": ["meal"], "unit": "count", ...}]'
    merchant-pos-server merchant create --id M --name .. --kind canteen --program P
        [--category P:cat] [--item id:P:cat:price_fen:中文:English]
    merchant-pos-server device enroll-code --merchant M [--hours 24]
    merchant-pos-server key create --iss ISSUER | key retire KID [--withdraw]
    merchant-pos-server beneficiary add --program P --name 姓名 | beneficiary revoke SUB
    merchant-pos-server issue-code SUB [--qr code.png]
    merchant-pos-server seed-demo [--out DIR]
    merchant-pos-server settlement [--merchant M] [--day YYYY-MM-DD] [--json]
    merchant-pos-server totals check [--repair] [--show N]
    merchant-pos-server serve [--host 127.0.0.1] [--port 8700] [--workers N]

The database is ``--db`` (SQLite path or URL, or a postgresql:// URL), else
``$MPOS_SERVER_DB``, else a SQLite file in the user's data directory.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from merchant_pos.server import admin

Handler = Callable[[argparse.Namespace], int]
WORKER_HEALTHCHECK_S = 120


def _engine(args: argparse.Namespace) -> Any:
    """One engine per command, disposed by ``main`` when the command ends."""
    from merchant_pos.server.database import make_engine

    if getattr(args, "_engine", None) is None:
        args._engine = make_engine(args.db)
    return args._engine


def _now(args: argparse.Namespace) -> int:
    return int(args.now) if getattr(args, "now", None) is not None else int(time.time())


def _split(value: str, parts: int, what: str) -> list[str]:
    fields = value.split(":")
    if len(fields) != parts:
        raise admin.AdminError(f"{what} {value!r}: expected {parts} fields separated by ':'")
    return fields


def cmd_init(args: argparse.Namespace) -> int:
    from merchant_pos.server.database import create_schema

    create_schema(_engine(args))
    print(f"Database ready: {args.db}")
    return 0


def cmd_program_create(args: argparse.Namespace) -> int:
    raw = args.entitlements
    if raw.startswith("@"):
        raw = Path(raw[1:]).read_text(encoding="utf-8")
    cats = [admin.Category(*_split(c, 3, "category")) for c in args.category]
    admin.create_program(_engine(args), id=args.id, name_zh=args.name_zh, name_en=args.name_en,
                         tz=args.tz, iss=args.issuer, cats=cats,
                         entitlements=admin.parse_entitlements(raw),
                         code_valid_days=args.code_valid_days, now=_now(args))
    print(f"Program {args.id} created.")
    return 0


def cmd_merchant_create(args: argparse.Namespace) -> int:
    allowed = [tuple(_split(c, 2, "category")) for c in args.category]
    items = []
    for raw in args.item:
        iid, prg, cat, price, zh, en = _split(raw, 6, "item")
        if not price.isdigit():
            raise admin.AdminError(f"item {raw!r}: the price is whole fen")
        items.append(admin.StandardItem(iid, prg, cat, int(price), zh, en))
    admin.create_merchant(_engine(args), id=args.id, name=args.name, kind=args.kind,
                          program_ids=args.program, allowed=allowed,  # type: ignore[arg-type]
                          items=items, max_offline_hours=args.max_offline_hours,
                          max_unsynced_covered=args.max_unsynced_covered, now=_now(args))
    print(f"Merchant {args.id} created.")
    return 0


def cmd_enroll_code(args: argparse.Namespace) -> int:
    code = admin.create_enrollment_code(_engine(args), args.merchant, hours=args.hours,
                                        now=_now(args))
    print(code)
    print(f"(one-time, for merchant {args.merchant}, valid {args.hours:g} hours)",
          file=sys.stderr)
    return 0


def cmd_device_revoke(args: argparse.Namespace) -> int:
    admin.revoke_device(_engine(args), args.device_id, now=_now(args))
    print(f"Device {args.device_id} revoked.")
    return 0


def cmd_unlock_code(args: argparse.Namespace) -> int:
    expires = _now(args) + int(args.hours * 3600)
    codes = admin.make_device_unlock_codes(_engine(args), args.device_id, args.operator, expires)
    print("\n".join(codes))
    print(f"(one use, for {args.operator} at device {args.device_id}, valid {args.hours:g} "
          "hours" + ("; the device is changing its token: if the first code is refused, "
                     "use the second" if len(codes) > 1 else "") + ")", file=sys.stderr)
    return 0


def cmd_device_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from merchant_pos.server.device_flags import flag_summary, open_flags
    from merchant_pos.server.schema import devices

    d = devices.c
    stmt = select(d.id, d.merchant_id, d.name, d.created_at, d.revoked_at, d.audit_seq,
                  d.audit_head).order_by(d.merchant_id, d.created_at)
    if args.merchant:
        stmt = stmt.where(d.merchant_id == args.merchant)
    with _engine(args).connect() as conn:
        rows = conn.execute(stmt).all()
        flagged = flag_summary(open_flags(conn, merchant_id=args.merchant))
    for r in rows:
        state = "revoked" if r.revoked_at is not None else "active"
        audit = f"audit #{r.audit_seq} {r.audit_head[:16]}" if r.audit_head else "no audit head"
        flags = ", ".join(f"{kind}×{n}" for kind, n in sorted(flagged.get(r.id, {}).items()))
        print(f"{r.id}  {r.merchant_id:<16} {state:<8} {r.name}  ({audit})"
              + (f"  FLAGGED: {flags}" if flags else ""))
    if not rows:
        print("No devices.")
    return 0


def cmd_key_create(args: argparse.Namespace) -> int:
    kid = admin.create_key(_engine(args), iss=args.iss, alg=args.alg,
                           valid_days=args.valid_days, now=_now(args))
    print(kid)
    return 0


def cmd_key_rewrap(args: argparse.Namespace) -> int:
    from merchant_pos.server.key_wrap import KeyWrapError, rewrap_all

    try:
        changed = rewrap_all(_engine(args))
    except KeyWrapError as exc:
        raise admin.AdminError(str(exc)) from None
    print(f"{changed} issuer keys re-encrypted with the current key-encryption key.")
    return 0


def cmd_key_retire(args: argparse.Namespace) -> int:
    admin.retire_key(_engine(args), args.kid, withdraw=args.withdraw, now=_now(args))
    print(f"Key {args.kid} retired{' and withdrawn from the trust list' if args.withdraw else ''}.")
    return 0


def cmd_beneficiary_add(args: argparse.Namespace) -> int:
    sub = admin.add_beneficiary(_engine(args), program_id=args.program, name=args.name,
                                sub=args.sub, now=_now(args))
    print(sub)
    return 0


def cmd_beneficiary_revoke(args: argparse.Namespace) -> int:
    if not args.sub and not args.code:
        raise admin.AdminError("name the beneficiary (SUB) or the code (--code CTI_HEX)")
    engine = _engine(args)
    if args.code:
        done = admin.revoke_code(engine, args.code, reason=args.reason, now=_now(args))
        what = f"code {args.code}"
    else:
        done = admin.revoke_beneficiary(engine, args.sub, reason=args.reason, now=_now(args))
        what = f"beneficiary {args.sub}"
    print(f"{what} revoked." if done else f"{what} was already revoked.")
    return 0


def cmd_issue_code(args: argparse.Namespace) -> int:
    issued = admin.issue_beneficiary_code(_engine(args), args.sub, now=_now(args),
                                          valid_days=args.valid_days)
    print(issued.text)
    if args.qr:
        admin.write_qr_png(issued.text, args.qr)
        print(f"QR written to {args.qr} (cti {issued.cti})", file=sys.stderr)
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from merchant_pos.server.database import create_schema
    from merchant_pos.server.demo_seed import seed_demo, write_demo_files

    engine = _engine(args)
    create_schema(engine)
    seed = seed_demo(engine, now=_now(args), seed=args.seed)
    if args.out:
        write_demo_files(seed, Path(args.out))
        print(f"Codes and QR images written to {args.out}", file=sys.stderr)
    for mid, code in seed.enrollment_codes.items():
        print(f"enrollment code for {mid}: {code}")
    for b in seed.beneficiaries:
        print(f"{b.sub}  {b.program:<20} {b.name}  {b.code[:40]}...")
    return 0


def cmd_settlement(args: argparse.Namespace) -> int:
    from merchant_pos.server.device_flags import format_flags, open_flags
    from merchant_pos.server.settlement import format_settlement, settlement_rows

    with _engine(args).connect() as conn:
        rows = settlement_rows(conn, merchant_id=args.merchant, day=args.day)
        flags = open_flags(conn, merchant_id=args.merchant)
    print(json.dumps(rows, ensure_ascii=False, indent=2) if args.json
          else format_settlement(rows))
    if flags:  # on stderr with --json, so the JSON stays one document
        print(format_flags(flags), file=sys.stderr if args.json else sys.stdout)
    return 0


def cmd_totals_check(args: argparse.Namespace) -> int:
    from merchant_pos.server.totals_check import run

    return run(_engine(args), repair_them=args.repair, show=args.show)


def cmd_openapi(args: argparse.Namespace) -> int:
    from merchant_pos.server import openapi_doc

    text = openapi_doc.render(openapi_doc.current_document())
    if args.check:
        same = openapi_doc.OPENAPI_PATH.read_text(encoding="utf-8") == text
        print(f"{openapi_doc.OPENAPI_PATH} is up to date." if same
              else f"{openapi_doc.OPENAPI_PATH} differs from the app: run `openapi --write`.")
        return 0 if same else 1
    if args.write:
        openapi_doc.OPENAPI_PATH.write_text(text, encoding="utf-8")
        print(f"Written {openapi_doc.OPENAPI_PATH}")
        return 0
    sys.stdout.write(text)
    return 0


def app_from_env() -> Any:
    """uvicorn factory for ``serve --workers N`` (each worker opens its own pool)."""
    from merchant_pos.server.app import create_app
    from merchant_pos.server.database import make_engine

    return create_app(make_engine(os.environ["MPOS_SERVER_DB"]))


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from merchant_pos.server.database import create_schema, normalise_url

    url = normalise_url(args.db)
    create_schema(_engine(args))
    os.environ["MPOS_SERVER_DB"] = url
    if args.idle_lock_minutes is not None:
        from merchant_pos.server.app import IDLE_LOCK_ENV

        os.environ[IDLE_LOCK_ENV] = str(args.idle_lock_minutes)
    print(f"Serving {url.split('@')[-1]} on http://{args.host}:{args.port}", file=sys.stderr)
    from merchant_pos.server.http_guard import GuardedH11Protocol

    # A spawned worker answers the supervisor's health pings only once it has imported
    # this module; on a busy 2-core machine that takes longer than uvicorn's 5 s, and the
    # supervisor would kill and respawn it forever.
    uvicorn.run("merchant_pos.server.cli:app_from_env", factory=True, host=args.host,
                port=args.port, workers=args.workers, log_level=args.log_level,
                http=GuardedH11Protocol, timeout_worker_healthcheck=WORKER_HEALTHCHECK_S)
    return 0


def build_parser() -> argparse.ArgumentParser:
    from merchant_pos.server.cli_parser import build

    return build(sys.modules[__name__])


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.db is None:
        from merchant_pos.server.database import default_url

        args.db = default_url()
    handler: Handler | None = getattr(args, "func", None)
    if handler is None:
        parser.print_help()
        return 1
    try:
        return handler(args)
    except admin.AdminError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:
        from merchant_pos.server.database import SchemaTooNew

        if not isinstance(exc, SchemaTooNew):
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        from sqlalchemy.exc import SQLAlchemyError

        if isinstance(exc, SQLAlchemyError):
            print(f"database error: {exc.__class__.__name__}: {str(exc).splitlines()[0]}\n"
                  f"(is the database initialised? run `merchant-pos-server init`)",
                  file=sys.stderr)
            return 3
        raise
    finally:
        if getattr(args, "_engine", None) is not None:
            args._engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
