"""A POS push loop in its own process, for the concurrency tests.

    python -m tests.server.push_client BASE_URL TOKEN BATCHES.json START_AT

waits until the epoch ``START_AT`` (so two processes start together), pushes
each batch and prints the results as JSON lines.
"""

from __future__ import annotations

import json
import sys
import time

import httpx


def main(argv: list[str]) -> int:
    base_url, token, path, start_at = argv[0], argv[1], argv[2], float(argv[3])
    with open(path, encoding="utf-8") as f:
        batches = json.load(f)
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"},
                      timeout=60) as client:
        client.get("/v1/health")  # connect before the start line
        while time.time() < start_at:
            time.sleep(0.001)
        for batch in batches:
            r = client.post("/v1/redemptions", json={"items": batch})
            r.raise_for_status()
            print(json.dumps(r.json()["results"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
