"""A POS process for the kill -9 tests: ``python -m tests.sync.pos_child DATA_DIR``.

Opens the device's real ledger file and token, runs one full sync, prints its
report as JSON and exits. The parent SIGKILLs it at chosen moments.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from merchant_pos.sync.retry import RetryPolicy
from tests.sync.world import PosDevice


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--batch", type=int, default=25)
    parser.add_argument("--page", type=int, default=500)
    args = parser.parse_args(argv)
    pos = PosDevice(args.data_dir, batch_size=args.batch, page_size=args.page,
                    retry=RetryPolicy(base_delay=0.02, max_delay=0.2, max_attempts=20))
    print("ready", flush=True)
    report = pos.engine.sync_now()
    pos.close()
    print(json.dumps({"ok": report.ok, "pushed": report.pushed,
                      "duplicates": report.duplicates, "pulled": report.pulled,
                      "error": report.error.message_id if report.error else None}), flush=True)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
