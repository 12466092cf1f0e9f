"""The demo's guide: an index of its codes (which shop, which beneficiary, what to
expect) and invalid samples, one for each way a code is refused at the counter.

Written next to the QR PNGs (``<demo folder>/server/``): ``index.md`` for people,
``index.csv`` for scripts, ``invalid-*.png`` and ``invalid-*.txt`` for the samples.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from merchant_pos.domain.claims import Claims
from merchant_pos.domain.cose import ALG_EDDSA
from merchant_pos.domain.errors import ErrorId, message
from merchant_pos.domain.issuing import IssuerKey, issue_code
from merchant_pos.server import admin
from merchant_pos.server.demo_seed import MEALS, MERCHANTS, PROGRAMS, DemoSeed, demo_key

DAY = admin.DAY
SAMPLE_SHOP = "canteen-01"  # the samples are meal codes, shown at the canteen


@dataclass(frozen=True)
class DemoSample:
    name: str  # file stem: invalid-<name>
    error: ErrorId
    code: str


class _ForgingKey(IssuerKey):
    """Claims the genuine key's kid but signs with another key: a forgery."""

    genuine_kid: bytes = b""

    @property
    def kid(self) -> bytes:
        return self.genuine_kid


def _meal_claims(sub: str, *, iss: str, iat: int, exp: int, seed: str,
                 prg: str = MEALS) -> Claims:
    _, _, _, _, ents, _ = next(p for p in PROGRAMS if p[0] == MEALS)
    cti = hashlib.sha256(f"{seed}:sample:{sub}".encode()).digest()[:12]
    return Claims(iss=iss, sub=sub, exp=exp, iat=iat, cti=cti, prg=prg, nm="样*",
                  tz="Asia/Shanghai", ent=tuple(ents))


def make_samples(engine: Engine, *, now: int, seed: str = "demo") -> list[DemoSample]:
    """The invalid samples (the revoked one is revoked on the server, so the counter
    learns it at its next sync)."""
    key = demo_key(seed, now)
    good = {"iss": key.iss, "seed": seed}
    expired = _meal_claims("B-SAMPLE-EXPIRED", iat=now - 20 * DAY, exp=now - DAY, **good)
    future = _meal_claims("B-SAMPLE-FUTURE", iat=now + 7 * DAY, exp=now + 97 * DAY, **good)
    raised = dataclasses.replace(
        _meal_claims("B-SAMPLE-FORGED", iat=now, exp=now + 90 * DAY, **good),
        ent=tuple(dataclasses.replace(e, lim=e.lim * 100)
                  for e in _meal_claims("x", iat=now, exp=now, **good).ent))
    forger = _ForgingKey(IssuerKey.generate(ALG_EDDSA, key.iss, key.not_before,
                                            key.not_after).private,
                         key.iss, key.not_before, key.not_after)
    object.__setattr__(forger, "genuine_kid", key.kid)
    stranger = IssuerKey.generate(ALG_EDDSA, "other-foundation", now - DAY, now + 365 * DAY)
    unknown = _meal_claims("B-SAMPLE-STRANGER", iss=stranger.iss, iat=now, exp=now + 90 * DAY,
                           seed=seed)
    wrong = _meal_claims("B-SAMPLE-WRONG-PROGRAM", iat=now, exp=now + 90 * DAY,
                         prg="winter-coats-2026", **good)
    sub = admin.add_beneficiary(engine, program_id=MEALS, name="样本撤销", now=now,
                                sub="B-SAMPLE-REVOKED")
    revoked = admin.issue_beneficiary_code(engine, sub, now=now).text
    admin.revoke_beneficiary(engine, sub, reason="demo sample: revoked", now=now)
    return [
        DemoSample("expired", ErrorId.EXPIRED, issue_code(key, expired)),
        DemoSample("not-yet-valid", ErrorId.NOT_YET_VALID, issue_code(key, future)),
        DemoSample("revoked", ErrorId.REVOKED, revoked),
        DemoSample("forged", ErrorId.BAD_SIGNATURE, issue_code(forger, raised)),
        DemoSample("unknown-issuer", ErrorId.UNKNOWN_KEY, issue_code(stranger, unknown)),
        DemoSample("wrong-program", ErrorId.WRONG_PROGRAM, issue_code(key, wrong)),
    ]


def _shops() -> dict[str, tuple[str, str]]:
    """program id -> (merchant id, merchant name)."""
    return {program: (mid, name) for mid, name, _kind, program, _items in MERCHANTS}


def _covers(program: str) -> tuple[str, str]:
    zh = {"jss-baby-2023": "4 张 50 元婴儿物资券（奶粉、纸尿裤、衣物），每张用一次",
          "elder-meal-2026": "每天 1 份助餐（10 元），每周 20 元餐食和水果",
          "clinic-checkup-2026": "每年 2 次免费体检（每次 30 元）"}
    en = {"jss-baby-2023": "four 50-yuan baby vouchers (formula, diapers, clothes), "
                           "one use each",
          "elder-meal-2026": "one 10-yuan meal a day, 20 yuan a week of meals and fruit",
          "clinic-checkup-2026": "two free check-ups a year (30 yuan each)"}
    return zh.get(program, program), en.get(program, program)


def write_index(seed: DemoSeed, samples: list[DemoSample], folder: Path) -> Path:
    """``index.md`` and ``index.csv`` for the PNGs in ``folder``; writes the samples."""
    shops = _shops()
    rows: list[dict[str, str]] = []
    for b in seed.beneficiaries:
        mid, shop = shops[b.program]
        zh, en = _covers(b.program)
        rows.append({"file": f"{b.sub}.png", "shop": mid, "shop_name": shop,
                     "beneficiary": b.sub, "name": b.name, "program": b.program,
                     "expect": "ok", "expect_zh": f"验证通过：{zh}（其他店：不属于本店项目）",
                     "expect_en": f"verifies: {en} (at the other shops: wrong program)"})
    for s in samples:
        (folder / f"invalid-{s.name}.txt").write_text(s.code + "\n", encoding="utf-8")
        admin.write_qr_png(s.code, str(folder / f"invalid-{s.name}.png"))
        mid, shop = shops[MEALS]
        rows.append({"file": f"invalid-{s.name}.png", "shop": mid, "shop_name": shop,
                     "beneficiary": "-", "name": "-", "program": MEALS,
                     "expect": s.error.value, "expect_zh": f"拒绝：{message(s.error, 'zh_CN')}",
                     "expect_en": f"refused: {message(s.error, 'en')}"})
    with (folder / "index.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    lines = ["# 演示受助码 / Demo codes", "",
             "打开图片（“打开图片…”）、拖到窗口上，或用手机屏幕对准摄像头。",
             "Open a PNG (\"Open photo…\"), drop it on the window, or show it to the camera.",
             "", "| file | shop | beneficiary | program | expect |", "|---|---|---|---|---|"]
    lines += [f"| {r['file']} | {r['shop']} {r['shop_name']} | {r['beneficiary']} {r['name']} "
              f"| {r['program']} | {r['expect_zh']} / {r['expect_en']} |" for r in rows]
    path = folder / "index.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path

