"""``merchant-pos support-bundle FILE.zip``: logs and facts for the foundation's supporter."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("support-bundle",
                       help="write a zip of logs and facts for support (no secrets, no codes)")
    p.add_argument("file", type=Path, metavar="FILE.zip")
    p.add_argument("--data-dir", type=Path, help="data folder (default: the user's data folder)")
    p.add_argument("--lang", choices=["zh_CN", "en"], help="language of the message")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from merchant_pos.diagnostics.support_bundle import write_support_bundle
    from merchant_pos.resources import user_language
    from merchant_pos.store.paths import data_dir

    lang = args.lang or user_language()
    folder = data_dir(args.data_dir)
    try:
        entries = write_support_bundle(folder, args.file)
    except OSError as exc:
        print(f"无法写入 {args.file}：{exc.strerror}" if lang == "zh_CN"
              else f"cannot write {args.file}: {exc.strerror}")
        return 1
    print(f"已写入 {args.file}（{len(entries)} 个文件），可发给基金会的技术支持。"
          if lang == "zh_CN" else
          f"wrote {args.file} ({len(entries)} files): send it to the foundation's support.")
    return 0
