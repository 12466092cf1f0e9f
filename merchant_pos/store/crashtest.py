"""Crash harness: redeem in child processes, SIGKILL them at random moments, check the file.

A *zygote* process (``python -m merchant_pos.store.crashtest zygote CONFIG``)
imports everything once and forks one worker per round, so a round costs a
fork, not an interpreter start. Each worker opens the ledger afresh (running
WAL recovery after the previous kill), first re-submits the redemption that
was in doubt when the previous worker died (same UUID: it must be recorded
once), then redeems in a loop, printing ``B id`` before and ``OK id`` after
each committed ``redeem``. The harness kills the worker after a random delay,
then checks on the file that:

* every redemption reported ``OK`` exists, once, with lines, draws, outbox and
  audit rows; the one in flight is either wholly there or wholly absent;
* ``PRAGMA integrity_check`` is ok and the audit chain verifies (every
  ``check_every`` kills and at the end), and no row is orphaned.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import selectors
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from merchant_pos.domain.claims import Claims, Entitlement, Period, Unit
from merchant_pos.domain.cose import ALG_EDDSA
from merchant_pos.domain.issuing import IssuerKey, issue_code
from merchant_pos.domain.quote import CartLine
from merchant_pos.domain.trust import TrustList

CONFIG_FILE = "crashtest.json"
WORKER_PIN = "2468"
_DAY = 86_400
_CATS = ("formula", "diaper", "meal")
# Kill points that do not depend on the machine's speed: every HOLD_EVERY-th round the
# worker stops just before a redemption, or right after its commit, and says so; the
# harness kills it on that line. The other rounds are killed after a random delay.
HOLD_NONE, HOLD_BEFORE_COMMIT, HOLD_AFTER_COMMIT = "none", "before", "after"
HOLD_EVERY = 10


@dataclass
class CrashReport:
    kills: int = 0
    reported_committed: int = 0
    killed_starting: int = 0  # while opening the ledger (WAL recovery, migration check)
    killed_resubmitting: int = 0  # while re-submitting the previous in-doubt redemption
    killed_between: int = 0  # no redemption in flight
    in_flight_absent: int = 0  # killed before the commit completed: nothing was written
    in_flight_present: int = 0  # killed after the commit, before the report: wholly there
    resubmitted_already_recorded: int = 0
    resubmitted_recorded_now: int = 0
    full_checks: int = 0
    redemptions_in_file: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.kills} kills in {self.seconds:.1f} s: {self.reported_committed} "
                f"redemptions reported committed, {self.redemptions_in_file} in the file; "
                f"killed while opening {self.killed_starting}, while re-submitting "
                f"{self.killed_resubmitting}, "
                f"between redemptions {self.killed_between}, mid-redemption before "
                f"commit {self.in_flight_absent}, after commit before report "
                f"{self.in_flight_present}; re-submitted in-doubt ids: "
                f"{self.resubmitted_already_recorded} found already recorded, "
                f"{self.resubmitted_recorded_now} recorded then; {self.full_checks} full "
                f"integrity+audit checks; problems: {len(self.problems)}")


def prepare(folder: Path, beneficiaries: int = 16, sabotage: str | None = None) -> Path:
    """A configured ledger in ``folder`` and the codes the workers redeem."""
    from merchant_pos.store.ledger import Ledger
    from merchant_pos.store.operators import OperatorRegistry, PinHasher
    from merchant_pos.store.reference import MerchantProfile, MerchantSettingsStore, TrustStore

    now = int(time.time())
    key = IssuerKey.generate(ALG_EDDSA, "crash-foundation", now - _DAY, now + 400 * _DAY)
    deep = (Entitlement("all", _CATS, Unit.FEN, 10**12, Period.TOTAL),)
    codes = [issue_code(key, Claims("crash-foundation", f"B-CRASH-{i:04d}", now + 30 * _DAY,
                                    now - _DAY, os.urandom(12), "crash-prg", "测*试",
                                    "Asia/Shanghai", deep))
             for i in range(beneficiaries)]
    with Ledger.open(folder) as ledger:
        MerchantSettingsStore(ledger).save_profile(MerchantProfile(
            "M-CRASH", "崩溃测试店", "canteen", "DCRASH", "Asia/Shanghai", ("crash-prg",),
            _CATS))
        TrustStore(ledger).replace_trust_list(TrustList([key.trusted_key()]))
        OperatorRegistry(ledger, hasher=PinHasher(n=2**10)).create_first_supervisor(
            "crash", WORKER_PIN)
    config = folder / CONFIG_FILE
    config.write_text(json.dumps({"folder": str(folder), "codes": codes,
                                  "sabotage": sabotage}))
    return config


def cart_for(redemption_id: str) -> list[CartLine]:
    rng = random.Random(redemption_id)
    return [CartLine(rng.choice(_CATS), rng.randint(100, 5000), rng.randint(1, 3))
            for _ in range(rng.randint(1, 3))]


def code_for(redemption_id: str, codes: list[str]) -> str:
    return codes[random.Random("code" + redemption_id).randrange(len(codes))]


def _say(line: str) -> None:
    os.write(1, (line + "\n").encode())


def _worker(config: dict[str, Any], resume: str | None, hold: str = HOLD_NONE) -> None:
    from merchant_pos.store.ledger import Ledger
    from merchant_pos.store.operators import OperatorRegistry
    from merchant_pos.store.redemptions import RedemptionService

    codes: list[str] = config["codes"]
    ledger = Ledger.open(Path(config["folder"]))
    operators = OperatorRegistry(ledger)
    service = RedemptionService(ledger, operators)
    session = operators.sign_in("crash", WORKER_PIN)
    _say(f"READY {os.getpid()}")
    if resume:
        receipt = service.redeem(resume, code_for(resume, codes), cart_for(resume), session)
        _say(f"RESUMED {resume} {'already' if receipt.already_recorded else 'now'}")
    rng = random.Random()
    sabotage = config.get("sabotage")  # only for proving that the checks can fail
    for _ in range(100_000):
        rid = str(uuid.uuid4())
        _say(f"B {rid}")
        if hold == HOLD_BEFORE_COMMIT:  # the harness kills on this line: nothing written
            _say(f"H {rid}")
            time.sleep(3600)
        if sabotage == "report_early":
            _say(f"OK {rid}")
        service.redeem(rid, code_for(rid, codes), cart_for(rid), session)
        if sabotage == "drop_outbox":
            with ledger.write() as tx:
                tx.connection().exec_driver_sql("DELETE FROM outbox WHERE entry_id = ?", (rid,))
        if hold == HOLD_AFTER_COMMIT:  # committed, not yet reported: killed on this line
            _say(f"C {rid}")
            time.sleep(3600)
        if rng.random() < 0.3:  # widen the committed-but-not-yet-reported window
            time.sleep(rng.uniform(0, 0.003))
        _say(f"OK {rid}")
        if rng.random() < 0.3:  # and the gap between two redemptions
            time.sleep(rng.uniform(0, 0.003))


def zygote(config_path: Path) -> int:
    """Fork one worker per ``run [resume-id]`` line on stdin; report ``PID`` and ``DEAD``."""
    config = json.loads(config_path.read_text())
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] != "run":
            continue
        resume = words[1] if len(words) > 1 and words[1] != "-" else None
        hold = words[2] if len(words) > 2 else HOLD_NONE
        pid = os.fork()
        if pid == 0:  # the worker
            code = 0
            try:
                _worker(config, resume, hold)
            except BaseException as exc:  # report and leave without any cleanup
                _say(f"ERROR {os.getpid()} {type(exc).__name__}: {exc}".replace("\n", " "))
                code = 1
            os._exit(code)
        _say(f"PID {pid}")
        _, status = os.waitpid(pid, 0)
        _say(f"DEAD {pid} {status}")
    return 0


class _Lines:
    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        self._fd = proc.stdout.fileno()
        self._sel = selectors.DefaultSelector()
        self._sel.register(self._fd, selectors.EVENT_READ)
        self._buf = b""

    def read(self, timeout: float) -> list[str]:
        """The complete lines that arrive within ``timeout`` s (returns once some are there)."""
        deadline = time.monotonic() + timeout
        out: list[str] = []
        while not out:
            left = deadline - time.monotonic()
            if left <= 0 or not self._sel.select(left):
                break
            chunk = os.read(self._fd, 65536)
            if not chunk:
                raise RuntimeError("the zygote exited")
            self._buf += chunk
            *lines, self._buf = self._buf.split(b"\n")
            out += [ln.decode() for ln in lines]
        return out

    def close(self) -> None:
        self._sel.close()


def _count(db: sqlite3.Connection, sql: str, *args: object) -> int:
    return int(db.execute(sql, args).fetchone()[0])


def _presence(db: sqlite3.Connection, rid: str) -> tuple[int, int, int, int, int]:
    return (
        _count(db, "SELECT count(*) FROM redemptions WHERE id = ?", rid),
        _count(db, "SELECT count(*) FROM redemption_lines WHERE redemption_id = ?", rid) > 0,
        _count(db, "SELECT count(*) FROM redemption_draws WHERE redemption_id = ?", rid) > 0,
        _count(db, "SELECT count(*) FROM outbox WHERE entry_id = ?", rid),
        _count(db, "SELECT count(*) FROM audit_log WHERE kind = 'redemption' "
                   "AND json_extract(payload, '$.id') = ?", rid),
    )


def full_check(folder: Path, report: CrashReport, reported: set[str]) -> None:
    from merchant_pos.store.ledger import Ledger

    with Ledger.open(folder) as ledger:
        if not ledger.integrity_ok():
            report.problems.append("PRAGMA integrity_check failed")
        audit = ledger.verify_audit()
        if not audit.ok:
            report.problems.append(f"audit chain: {audit.message('en')}")
    db = sqlite3.connect(f"{(folder / 'ledger.sqlite3').as_uri()}?mode=ro", uri=True)
    try:
        orphans = {
            "redemption without outbox": "SELECT count(*) FROM redemptions r WHERE NOT EXISTS "
            "(SELECT 1 FROM outbox o WHERE o.entry_id = r.id)",
            "redemption without lines": "SELECT count(*) FROM redemptions r WHERE NOT EXISTS "
            "(SELECT 1 FROM redemption_lines l WHERE l.redemption_id = r.id)",
            "redemption without audit": "SELECT count(*) FROM redemptions r WHERE NOT EXISTS "
            "(SELECT 1 FROM audit_log a WHERE a.kind = 'redemption' "
            "AND json_extract(a.payload, '$.id') = r.id)",
            "outbox without redemption": "SELECT count(*) FROM outbox o WHERE NOT EXISTS "
            "(SELECT 1 FROM redemptions r WHERE r.id = o.redemption_id)",
            "audit without redemption": "SELECT count(*) FROM audit_log a WHERE "
            "a.kind = 'redemption' AND NOT EXISTS (SELECT 1 FROM redemptions r "
            "WHERE r.id = json_extract(a.payload, '$.id'))",
            "duplicate audit entries": "SELECT count(*) - count(DISTINCT "
            "json_extract(payload, '$.id')) FROM audit_log WHERE kind = 'redemption'",
        }
        for what, sql in orphans.items():
            n = _count(db, sql)
            if n:
                report.problems.append(f"{n} x {what}")
        ids = {row[0] for row in db.execute("SELECT id FROM redemptions")}
        missing = reported - ids
        if missing:
            report.problems.append(f"{len(missing)} reported redemptions missing")
        report.redemptions_in_file = len(ids)
    finally:
        db.close()
    report.full_checks += 1


def run(folder: Path, kills: int, *, seed: int | None = None, max_delay_ms: float = 40.0,
        check_every: int = 50, progress: bool = False,
        sabotage: str | None = None) -> CrashReport:
    """Kill ``kills`` workers at random moments against a fresh ledger in ``folder``.

    ``sabotage`` breaks the worker on purpose (``report_early``: says OK before
    redeeming; ``drop_outbox``: removes the outbox row in a second transaction)
    so a test can show that the checks catch a lost or half-written redemption.
    """
    rng = random.Random(seed)
    config = prepare(folder, sabotage=sabotage)
    report = CrashReport()
    reported: set[str] = set()
    started = time.monotonic()
    zy = subprocess.Popen([sys.executable, "-m", "merchant_pos.store.crashtest", "zygote",
                           str(config)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    lines = _Lines(zy)
    assert zy.stdin is not None
    resume: str | None = None
    db = sqlite3.connect(f"{(folder / 'ledger.sqlite3').as_uri()}?mode=ro", uri=True)
    try:
        for n in range(kills):
            hold = {3: HOLD_AFTER_COMMIT, 7: HOLD_BEFORE_COMMIT}.get(n % HOLD_EVERY, HOLD_NONE)
            zy.stdin.write(f"run {resume or '-'} {hold}\n".encode())
            zy.stdin.flush()
            pid, phase, in_flight, dead = 0, "starting", None, False
            early = rng.random() < 0.1  # sometimes kill while it opens and recovers
            delay = rng.uniform(0, max_delay_ms if not early else 40.0) / 1000.0
            timed = hold == HOLD_NONE  # a holding worker is killed on its line, not a timer
            early = early and timed
            deadline: float | None = None
            while not dead:
                wait = 0.5 if deadline is None else max(0.0, deadline - time.monotonic())
                for line in lines.read(wait):
                    word, _, rest = line.partition(" ")
                    if word == "PID":
                        pid = int(rest)
                        if early:
                            deadline = time.monotonic() + delay
                    elif word == "READY":
                        phase = "resubmitting" if resume else "between"
                        if timed and not early:
                            deadline = time.monotonic() + delay
                    elif word == "B":
                        in_flight, phase = rest, "redeeming"
                    elif word in ("H", "C"):  # holding at a kill point: kill now
                        in_flight, phase = rest, "redeeming"
                        deadline = time.monotonic()
                    elif word == "OK":
                        reported.add(rest)
                        report.reported_committed += 1
                        in_flight, phase = None, "between"
                    elif word == "RESUMED":
                        phase = "between"
                        rid, how = rest.split()
                        reported.add(rid)
                        if how == "already":
                            report.resubmitted_already_recorded += 1
                        else:
                            report.resubmitted_recorded_now += 1
                        if rid == resume:
                            resume = None
                    elif word == "ERROR":
                        report.problems.append(f"worker failed: {rest}")
                        dead = True
                    elif word == "DEAD":
                        dead = True
                if deadline is not None and time.monotonic() >= deadline and pid:
                    with contextlib.suppress(ProcessLookupError):  # it died on its own
                        os.kill(pid, signal.SIGKILL)
                    deadline = None
            if report.problems and report.problems[-1].startswith("worker failed"):
                break
            report.kills += 1
            if phase == "starting":
                report.killed_starting += 1
            elif phase == "resubmitting":
                report.killed_resubmitting += 1
            elif phase == "between":
                report.killed_between += 1
            doubt = in_flight or resume
            if doubt is not None:
                state = _presence(db, doubt)
                if state == (1, True, True, 1, 1):
                    if phase == "redeeming":
                        report.in_flight_present += 1
                elif state == (0, False, False, 0, 0):
                    if phase == "redeeming":
                        report.in_flight_absent += 1
                else:
                    report.problems.append(f"half-written redemption {doubt}: {state}")
                resume = doubt  # the next worker re-submits it with the same id
            for rid in list(reported)[-5:]:
                if _presence(db, rid) != (1, True, True, 1, 1):
                    report.problems.append(f"reported redemption {rid} not wholly present")
            if (n + 1) % check_every == 0 or n + 1 == kills:
                full_check(folder, report, reported)
                if progress:
                    print(f"  {n + 1} kills: {len(report.problems)} problems", flush=True)
    finally:
        db.close()
        zy.stdin.close()
        zy.wait(timeout=30)
        if zy.stdout is not None:
            zy.stdout.close()
        lines.close()
    report.seconds = time.monotonic() - started
    return report


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "zygote":
        sys.exit(zygote(Path(sys.argv[2])))
    print("usage: python -m merchant_pos.store.crashtest zygote CONFIG", file=sys.stderr)
    sys.exit(2)
