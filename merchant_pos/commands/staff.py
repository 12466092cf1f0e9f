"""``merchant-pos staff``: list, add, remove, set PINs and unlock operators (support desk).

Every change asks for a supervisor's PIN (``--supervisor NAME``, default the
only supervisor), read with getpass at a terminal or as a line of stdin when
piped; a new PIN is read the same way after it. ``unlock`` also takes the
shop's recovery code or a one-time code from ``merchant-pos-server device
unlock-code`` instead of a supervisor. Bad input says why and changes nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from merchant_pos.store import Operator
    from merchant_pos.store.staff import StaffManager

TEXT = {
    "zh_CN": {"pin": "主管 {0} 的密码：", "new": "{0} 的新密码：", "again": "再输一次：",
              "differ": "两次输入的密码不同，未做任何改动", "no_sup": "请用 --supervisor 指明主管",
              "added": "已添加 {0}（{1}）", "removed": "已停用 {0}；其核销记录仍显示此姓名",
              "pin_set": "已设置 {0} 的新密码", "unlocked": "已解锁 {0}",
              "recovery": "新的恢复码（旧码已失效，请抄下保存）：{0}", "no_input": "没有读到输入",
              "locked": "锁定至 {0}", "removed_tag": "已停用", "cashier": "收银员",
              "supervisor": "主管"},
    "en": {"pin": "PIN of supervisor {0}: ", "new": "New PIN for {0}: ", "again": "Again: ",
           "differ": "The two PINs differ; nothing was changed",
           "no_sup": "Name the supervisor with --supervisor", "added": "Added {0} ({1})",
           "removed": "Removed {0}; their redemptions still show the name",
           "pin_set": "Set a new PIN for {0}", "unlocked": "Unlocked {0}",
           "recovery": "New recovery code (the old one no longer works; write it down): {0}",
           "no_input": "No input was read", "locked": "locked until {0}",
           "removed_tag": "removed", "cashier": "cashier", "supervisor": "supervisor"},
}


class _Refused(Exception):
    pass


def register(sub: Any) -> None:
    p = sub.add_parser("staff", help="list, add, remove operators, set PINs, unlock")
    p.add_argument("--data-dir", type=Path, help="where the ledger lives (default: per user)")
    p.add_argument("--lang", choices=["zh_CN", "en"], help="language of the messages")
    p.add_argument("--supervisor", help="the supervisor approving (default: the only one)")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser("list", help="operators, roles, who is locked")
    a.add_argument("--all", action="store_true", help="also removed operators")
    a = actions.add_parser("add", help="add a cashier or supervisor")
    a.add_argument("name")
    a.add_argument("--role", choices=["cashier", "supervisor"], default="cashier")
    a = actions.add_parser("remove", help="deactivate an operator")
    a.add_argument("name")
    a = actions.add_parser("set-pin", help="set (reset) an operator's PIN")
    a.add_argument("name")
    a = actions.add_parser("unlock", help="clear a lockout now")
    a.add_argument("name")
    how = a.add_mutually_exclusive_group()
    how.add_argument("--recovery-code", help="the shop's recovery code (no supervisor needed)")
    how.add_argument("--unlock-code", help="a one-time code from merchant-pos-server")
    a.add_argument("--new-pin", action="store_true",
                   help="with --unlock-code: then ask for a new PIN (the way back when the "
                        "device secret was lost and the old PIN no longer checks)")
    p.set_defaults(func=run)


def _read(prompt: str, lang: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    line = sys.stdin.readline()
    if not line:
        raise _Refused(TEXT[lang]["no_input"])
    return line.rstrip("\r\n")


def _new_pin(name: str, lang: str) -> str:
    pin = _read(TEXT[lang]["new"].format(name), lang)
    if sys.stdin.isatty() and _read(TEXT[lang]["again"], lang) != pin:
        raise _Refused(TEXT[lang]["differ"])
    return pin


def _approver(staff: StaffManager, args: argparse.Namespace, lang: str) -> Operator:
    name = args.supervisor
    if name is None:
        supervisors = [m.name for m in staff.members() if m.role.value == "supervisor"]
        if len(supervisors) != 1:
            raise _Refused(TEXT[lang]["no_sup"])
        name = supervisors[0]
    pin = _read(TEXT[lang]["pin"].format(name), lang)
    if args.action == "set-pin" and args.name.strip() == name:
        # The own PIN: allowed even while a weak one must be changed (the ledger checks
        # that this is an active supervisor when the PIN is set).
        return staff.registry.authenticate(name, pin)
    return staff.registry.supervisor(name, pin)


def _list(staff: StaffManager, args: argparse.Namespace, lang: str) -> None:
    now, t = staff.ledger.clock(), TEXT[lang]
    for m in staff.members(include_removed=args.all):
        notes = [] if m.active else [t["removed_tag"]]
        if m.is_locked(now) and m.locked_until is not None:
            when = dt.datetime.fromtimestamp(m.locked_until, dt.UTC)
            notes.append(t["locked"].format(when.strftime("%H:%M UTC")))
        print("\t".join([m.name, t[m.role.value], ", ".join(notes)]).rstrip())


def _act(staff: StaffManager, args: argparse.Namespace, lang: str) -> str:
    from merchant_pos.store import OperatorRole

    t = TEXT[lang]
    if args.action == "unlock" and args.recovery_code:
        fresh = staff.unlock_with_recovery_code(args.name, args.recovery_code)
        return t["unlocked"].format(args.name) + "\n" + t["recovery"].format(fresh)
    if args.action == "unlock" and args.unlock_code:
        new_pin = _new_pin(args.name, lang) if args.new_pin else None
        staff.unlock_with_server_code(args.name, args.unlock_code, new_pin)
        return t["unlocked"].format(args.name) + (
            "\n" + t["pin_set"].format(args.name) if new_pin else "")
    if args.action in ("remove", "set-pin", "unlock"):
        staff.member(args.name)  # an unknown name is refused before any PIN is asked
    by = _approver(staff, args, lang)
    if args.action == "add":
        role = OperatorRole(args.role)
        staff.add(by, args.name, role, _new_pin(args.name, lang))
        return t["added"].format(args.name, t[role.value])
    if args.action == "remove":
        staff.remove(by, args.name)
        return t["removed"].format(args.name)
    if args.action == "set-pin":
        staff.set_pin(by, args.name, _new_pin(args.name, lang))
        return t["pin_set"].format(args.name)
    staff.unlock(by, args.name)
    return t["unlocked"].format(args.name)


def run(args: argparse.Namespace) -> int:
    from merchant_pos.app import open_pos
    from merchant_pos.resources import user_language
    from merchant_pos.store import LedgerError
    from merchant_pos.store.paths import data_dir

    lang = args.lang or user_language()
    try:
        ctx = open_pos(data_dir(args.data_dir))
    except LedgerError as exc:
        print(f"merchant-pos: {exc.message(lang)}", file=sys.stderr)
        return 2
    try:
        staff = ctx.staff()
        if args.action == "list":
            _list(staff, args, lang)
        else:
            print(_act(staff, args, lang))
        return 0
    except LedgerError as exc:
        print(f"merchant-pos staff: {exc.message(lang)}", file=sys.stderr)
        return 2
    except (_Refused, KeyboardInterrupt, EOFError) as exc:
        print(f"merchant-pos staff: {exc}", file=sys.stderr)
        return 2
    finally:
        ctx.close()
