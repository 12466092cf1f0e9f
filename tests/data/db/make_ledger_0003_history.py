"""Regenerate ``ledger-0003-history/``: a ledger made by the code at revision
0003_i11b_secrets_at_rest (the head before the usage totals), with history.

Run with that code first on the path, e.g. from a checkout of the commit before
revision 0004_n14a_usage_totals: ``PYTHONPATH=<that checkout> python
tests/data/db/make_ledger_0003_history.py``. Only needed if the fixture is
lost: the committed folder is what the migration test must keep opening.

It holds three beneficiaries: an elderly person's daily meal and weekly fruit
money (Asia/Shanghai) over 40 days, a clinic's yearly check-ups in another zone
(America/New_York), and single-use baby vouchers; voids, a rejected redemption,
accepted ones re-allocated by the server, and another shop's records. The
codes and the quote times go to ``codes.json`` beside the ledger.
"""

from __future__ import annotations

import json
import shutil
import sys
import uuid
from dataclasses import replace
from pathlib import Path

import keyring
from keyring.backends import fail

keyring.set_keyring(fail.Keyring())

ROOT = Path(__file__).resolve().parents[3]
sys.path.append(str(ROOT))  # tests.support; merchant_pos comes from PYTHONPATH

from merchant_pos.domain import CartLine  # noqa: E402
from merchant_pos.domain.cose import ALG_EDDSA  # noqa: E402
from merchant_pos.domain.issuing import IssuerKey, issue_code  # noqa: E402
from merchant_pos.store import (  # noqa: E402
    Ledger,
    MerchantProfile,
    MerchantSettingsStore,
    OperatorRegistry,
    OperatorRole,
    PinHasher,
    PushOutcome,
    PushResult,
    RedemptionOutbox,
    RedemptionService,
    ServerUsage,
    TrustStore,
    UsageLedger,
)
from merchant_pos.store.migrate import read_revision  # noqa: E402
from tests.support.codes import BABY_VOUCHERS, CLINIC, DAY, ELDER_MEAL, NOW, claims  # noqa: E402

TARGET = Path(__file__).with_name("ledger-0003-history")
START = NOW - 40 * DAY


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> int:
        return self.now


def build() -> None:
    shutil.rmtree(TARGET, ignore_errors=True)
    TARGET.mkdir()
    key = IssuerKey.generate(ALG_EDDSA, "demo-foundation", NOW - 4000 * DAY, NOW + 4000 * DAY)
    clock = Clock()
    elder = replace(claims(sub="B-HIST-ELDER", prg="elder-meal", ent=ELDER_MEAL),
                    exp=NOW + 400 * DAY, iat=START - DAY)
    clinic = replace(claims(sub="B-HIST-CLINIC", prg="elder-meal", ent=CLINIC,
                            tz="America/New_York"), exp=NOW + 400 * DAY, iat=START - DAY)
    baby = replace(claims(sub="B-HIST-BABY", ent=BABY_VOUCHERS),
                   exp=NOW + 400 * DAY, iat=START - DAY)
    codes = {name: issue_code(key, c) for name, c in
             (("elder", elder), ("clinic", clinic), ("baby", baby))}
    with Ledger.open(TARGET, clock=clock) as ledger:
        assert read_revision(ledger.path) == "0003_i11b_secrets_at_rest"
        MerchantSettingsStore(ledger).save_profile(MerchantProfile(
            "M-HIST-01", "历史测试店", "canteen", "DHIST", "Asia/Shanghai",
            ("jss-baby-2023", "elder-meal"), ("formula", "diaper", "meal", "fruit", "checkup")))
        TrustStore(ledger).replace_trust_list(__import__(
            "merchant_pos.domain.trust", fromlist=["TrustList"]).TrustList([key.trusted_key()]))
        ops = OperatorRegistry(ledger, hasher=PinHasher(n=2**8))
        ops.create_first_supervisor("王主管", "9999")
        boss = ops.sign_in("王主管", "9999")
        ops.add_operator(boss, "李收银", OperatorRole.CASHIER, "1234")
        cashier = ops.sign_in("李收银", "1234")
        cashier.idle_seconds = 10**9
        service = RedemptionService(ledger, ops)
        outbox, usage = RedemptionOutbox(ledger), UsageLedger(ledger)
        rids: list[str] = []
        for day in range(40):
            clock.now = START + day * DAY + 3 * 3600
            r = service.redeem(str(uuid.uuid4()), codes["elder"],
                               [CartLine("meal", 1500), CartLine("fruit", 300)], cashier)
            rids.append(r.redemption_id)
            if day % 9 == 4:  # a void the same day
                service.void(r.redemption_id, void_id=str(uuid.uuid4()),
                             supervisor_name="王主管", supervisor_pin="9999", reason="退货")
            if day in (0, 20):
                service.redeem(str(uuid.uuid4()), codes["clinic"],
                               [CartLine("checkup", 3000)], cashier)
        clock.now = START + 39 * DAY + 4 * 3600
        v = service.redeem(str(uuid.uuid4()), codes["baby"], [CartLine("formula", 4000)],
                           cashier)
        # The server: most elder meals accepted, one rejected; the baby voucher booked on
        # v2 (another shop had used v1); another shop's fruit this week.
        outbox.apply_results([PushResult(rid, PushOutcome.ACCEPTED) for rid in rids[:30]]
                             + [PushResult(rids[32], PushOutcome.REJECTED, "limit")]
                             + [PushResult(v.redemption_id, PushOutcome.ACCEPTED)])
        usage.apply_usage_page([
            ServerUsage("other-shop-1", baby.iss, baby.sub, "v1", 5000, 0, NOW - 3 * DAY),
            ServerUsage(v.redemption_id, baby.iss, baby.sub, "v2", 4000, 0, clock.now),
            ServerUsage("other-shop-2", elder.iss, elder.sub, "fruit", 700, 0, NOW - DAY),
            ServerUsage(rids[-1], elder.iss, elder.sub, "meal", 1000, 1, START + 39 * DAY),
        ], cursor="u1")
    for suffix in ("-wal", "-shm"):
        (TARGET / f"ledger.sqlite3{suffix}").unlink(missing_ok=True)
    shutil.rmtree(TARGET / "backups", ignore_errors=True)
    (TARGET / "codes.json").write_text(json.dumps(
        {"codes": codes, "quote_at": [START + 39 * DAY + 3 * 3600 + 60, NOW, NOW + 200 * DAY]},
        indent=1))


if __name__ == "__main__":
    build()
