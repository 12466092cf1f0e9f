"""Several processes on one ledger file: no overspending, one record per redemption id."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

from merchant_pos.domain import CartLine
from merchant_pos.store import RedemptionOutbox
from tests.store.conftest import Counter
from tests.support.codes import DAY, claims, make_code

_CHILD = """
import json, sys, time
from pathlib import Path
from merchant_pos.domain import CartLine
from merchant_pos.store import Ledger, LedgerError, OperatorRegistry, RedemptionService
folder, code, rid, start_at = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
with Ledger.open(Path(folder)) as ledger:
    operators = OperatorRegistry(ledger)
    service = RedemptionService(ledger, operators)
    session = operators.sign_in("李收银", "1234")
    session.idle_seconds = 10**9
    seen = service.quote(code, [CartLine("formula", 20000)]).covered
    while time.time() < start_at:
        pass
    try:
        r = service.redeem(rid, code, [CartLine("formula", 20000)], session,
                           expected_covered=seen)
        print(json.dumps({"covered": r.covered, "receipt": r.receipt_no,
                          "already": r.already_recorded}))
    except LedgerError as exc:
        print(json.dumps({"error": exc.error.value}))
"""


def race(counter: Counter, code: str, ids: list[str]) -> list[dict[str, object]]:
    folder = str(counter.ledger.path.parent)
    repo = Path(__file__).resolve().parents[2]
    start_at = time.time() + 2.5  # all children are ready and spinning by then
    procs = [subprocess.Popen([sys.executable, "-c", _CHILD, folder, code, rid, str(start_at)],
                              cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for rid in ids]
    done = [p.communicate(timeout=60) for p in procs]
    for p, (_, stderr) in zip(procs, done, strict=True):
        assert p.returncode == 0, stderr
    return [json.loads(stdout) for stdout, _ in done]


def real_time_code(counter: Counter) -> str:
    """The children run on the real clock: a code valid now (the key is valid +-400 days)."""
    now = int(time.time())
    counter.clock.now = now
    return make_code(counter.key, claims(iat=now - DAY, exp=now + 30 * DAY))


def test_four_counters_racing_on_one_beneficiary_cannot_overspend(counter: Counter) -> None:
    code = real_time_code(counter)
    results = race(counter, code, [str(uuid.uuid4()) for _ in range(4)])
    winners = [r for r in results if "covered" in r]
    assert len(winners) == 1 and winners[0]["covered"] == 20000, results
    errors = [str(r["error"]) for r in results if "error" in r]
    assert len(errors) == 3 and set(errors) <= {"quote_changed", "nothing_covered"}, results
    assert counter.service.quote(code, [CartLine("formula", 20000)]).covered == 0
    assert len(RedemptionOutbox(counter.ledger).pending()) == 1
    verdict = counter.ledger.verify_audit()
    assert verdict.ok, verdict.message("en")


def test_the_same_redemption_id_from_four_processes_records_once(counter: Counter) -> None:
    code = real_time_code(counter)
    the_id = str(uuid.uuid4())
    results = race(counter, code, [the_id] * 4)
    assert len({r["receipt"] for r in results}) == 1, results
    assert sorted(bool(r["already"]) for r in results) == [False, True, True, True]
    assert [i.entry_id for i in RedemptionOutbox(counter.ledger).pending()] == [the_id]
