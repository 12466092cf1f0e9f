"""``merchant-pos decode IMAGE...``: the QR codes in photos or screenshots, as JSON lines.

For support staff: one line per file, ``{"file", "texts", "ms"}``, plus
``"error"`` (a message id) when nothing could be read. Exit status 0 when
every file gave at least one code, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "decode",
        help="print the QR codes found in image files as JSON lines (file, texts, ms)",
        description=__doc__.strip().splitlines()[0] if __doc__ else None,
    )
    parser.add_argument(
        "images", nargs="+", metavar="IMAGE", help="image files (PNG, JPEG, WebP...)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from merchant_pos.scan.photo import decode_image_file

    status = 0
    for name in args.images:
        result = decode_image_file(name)
        line: dict[str, object] = {
            "file": name, "texts": result.texts, "ms": round(result.ms, 2),
        }
        if result.message is not None:
            line["error"] = result.message.value
            status = 1
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return status
