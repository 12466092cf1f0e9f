"""The argument parser of ``merchant-pos-server`` (the handlers live in ``cli``)."""

from __future__ import annotations

import argparse
from types import ModuleType

from merchant_pos.server.admin import ALGS, MERCHANT_KINDS


def _sub(parent: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help: str,
         func: object, now: bool = True) -> argparse.ArgumentParser:
    p = parent.add_parser(name, help=help, description=help)
    p.set_defaults(func=func)
    if now:
        p.add_argument("--now", type=int, help="pretend the time is this epoch (tests, demos)")
    return p


def _count(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number >= 0")
    return int(value)


def build(cli: ModuleType) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="merchant-pos-server",
        description="Administer and run the merchant-pos reference central server.")
    parser.add_argument("--db", help="SQLite path/URL or postgresql:// URL "
                                     "(default: $MPOS_SERVER_DB or a file in the data dir)")
    top = parser.add_subparsers(dest="command", metavar="COMMAND")

    _sub(top, "init", "create the database tables", cli.cmd_init, now=False)

    program = top.add_parser("program", help="aid programs").add_subparsers(metavar="ACTION")
    p = _sub(program, "create", "create a program with its categories and entitlements",
             cli.cmd_program_create)
    p.add_argument("--id", required=True)
    p.add_argument("--name-zh", required=True)
    p.add_argument("--name-en", required=True)
    p.add_argument("--tz", default="Asia/Shanghai", help="IANA zone of its periods")
    p.add_argument("--issuer", default="demo-foundation", help="issuer id (iss) of its codes")
    p.add_argument("--category", action="append", default=[], required=True,
                   metavar="ID:中文:English")
    p.add_argument("--entitlements", required=True,
                   help="JSON array of entitlements (spec section 3), or @file.json")
    p.add_argument("--code-valid-days", type=int, default=90)

    merchant = top.add_parser("merchant", help="partner merchants").add_subparsers(
        metavar="ACTION")
    p = _sub(merchant, "create", "create a merchant", cli.cmd_merchant_create)
    p.add_argument("--id", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--kind", required=True, choices=MERCHANT_KINDS)
    p.add_argument("--program", action="append", required=True, help="repeat for several")
    p.add_argument("--category", action="append", default=[], metavar="PROGRAM:CATEGORY",
                   help="categories it may redeem (default: all of its programs')")
    p.add_argument("--item", action="append", default=[],
                   metavar="ID:PROGRAM:CATEGORY:PRICE_FEN:中文:English", help="standard item")
    p.add_argument("--max-offline-hours", type=int, default=72)
    p.add_argument("--max-unsynced-covered", type=int, default=200_000,
                   help="cap on a device's unsynced covered amount, fen")

    device = top.add_parser("device", help="POS devices").add_subparsers(metavar="ACTION")
    p = _sub(device, "enroll-code", "make a one-time enrollment code for a merchant's POS",
             cli.cmd_enroll_code)
    p.add_argument("--merchant", required=True)
    p.add_argument("--hours", type=float, default=24.0, help="valid this long")
    p = _sub(device, "revoke", "revoke a device (its token stops working)", cli.cmd_device_revoke)
    p.add_argument("device_id")
    p = _sub(device, "unlock-code", "make a one-time code that unlocks a locked operator at "
             "this device's counter (checked offline)", cli.cmd_unlock_code)
    p.add_argument("device_id")
    p.add_argument("--operator", required=True, help="the operator's name as at the counter")
    p.add_argument("--hours", type=float, default=24.0, help="valid this long")
    p = _sub(device, "list", "list devices, their state and last audit head", cli.cmd_device_list,
             now=False)
    p.add_argument("--merchant")

    key = top.add_parser("key", help="issuer signing keys").add_subparsers(metavar="ACTION")
    p = _sub(key, "create", "generate a signing key (kept in the database, encrypted)",
             cli.cmd_key_create)
    p.add_argument("--iss", required=True, help="issuer id")
    p.add_argument("--alg", choices=sorted(ALGS), default="ed25519")
    p.add_argument("--valid-days", type=int, default=730)
    _sub(key, "rewrap", "encrypt every issuer key with the current key-encryption key "
         "($MPOS_SERVER_KEK_FILE; the old one in $MPOS_SERVER_KEK_OLD_FILE)", cli.cmd_key_rewrap)
    p = _sub(key, "retire", "stop signing with a key", cli.cmd_key_retire)
    p.add_argument("kid", help="key id in hex")
    p.add_argument("--withdraw", action="store_true",
                   help="also remove it from the trust list (compromised key)")

    ben = top.add_parser("beneficiary", help="beneficiaries").add_subparsers(metavar="ACTION")
    p = _sub(ben, "add", "register a beneficiary (only the masked name is stored)",
             cli.cmd_beneficiary_add)
    p.add_argument("--program", required=True)
    p.add_argument("--name", required=True, help="full name; stored masked (马*花)")
    p.add_argument("--sub", help="pseudonymous id (default: random)")
    p = _sub(ben, "revoke", "revoke a beneficiary, or one code with --code",
             cli.cmd_beneficiary_revoke)
    p.add_argument("sub", nargs="?")
    p.add_argument("--code", metavar="CTI_HEX", help="revoke only this issued code")
    p.add_argument("--reason", default="revoked by the operator")

    p = _sub(top, "issue-code", "issue a BC1 code for a beneficiary", cli.cmd_issue_code)
    p.add_argument("sub")
    p.add_argument("--valid-days", type=int)
    p.add_argument("--qr", metavar="PNG", help="also write the QR image (level M, alphanumeric)")

    p = _sub(top, "seed-demo", "fill an empty database with the demo", cli.cmd_seed_demo)
    p.add_argument("--out", metavar="DIR", help="write demo.json and QR images here")
    p.add_argument("--seed", default="demo", help="same seed and --now, same codes")

    p = _sub(top, "settlement", "totals per merchant and day by program, category, status",
             cli.cmd_settlement, now=False)
    p.add_argument("--merchant")
    p.add_argument("--day", metavar="YYYY-MM-DD")
    p.add_argument("--json", action="store_true")

    totals = top.add_parser("totals", help="the usage totals the judge reads (a cache of "
                            "the draws)").add_subparsers(metavar="ACTION", required=True)
    p = _sub(totals, "check", "compare the usage totals with a replay of the draws (exit 1 "
             "on mismatches); --repair rebuilds them", cli.cmd_totals_check, now=False)
    p.add_argument("--repair", action="store_true",
                   help="rebuild the totals from the draws in one transaction, then check "
                        "again. Safe while the server runs: it takes the locks a push takes, "
                        "so pushes wait until it commits (a push waiting over 30 s fails and "
                        "the counter pushes it again later). Redemptions judged while the "
                        "totals were wrong are not judged again")
    p.add_argument("--show", type=_count, default=50, metavar="N",
                   help="list at most N mismatches (0: all; default 50)")

    p = _sub(top, "openapi", "print, --write or --check the bundled openapi.json", cli.cmd_openapi,
             now=False)
    g = p.add_mutually_exclusive_group()
    g.add_argument("--write", action="store_true")
    g.add_argument("--check", action="store_true")

    p = _sub(top, "serve", "run the server", cli.cmd_serve, now=False)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8700)
    p.add_argument("--workers", type=int, default=1, help="server processes")
    p.add_argument("--log-level", default="info")
    p.add_argument("--idle-lock-minutes", type=int, choices=range(1, 1441), metavar="1-1440",
                   help="counters lock after this long idle (default $MPOS_IDLE_LOCK_MINUTES "
                        "or 15)")
    return parser
