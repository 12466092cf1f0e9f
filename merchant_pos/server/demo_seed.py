"""``seed-demo``: three programs, three merchants, three dozen beneficiaries with codes.

Deterministic for a given ``seed`` and ``now``: the issuer key and every code's
cti derive from the seed, so the same codes come out each time (enrollment
codes stay random: they are secrets).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ed25519
from sqlalchemy import Engine

from merchant_pos.domain.claims import Entitlement, Period, Unit
from merchant_pos.domain.issuing import IssuerKey
from merchant_pos.server import admin
from merchant_pos.server.admin import Category, StandardItem

ISSUER = "demo-foundation"
BABY, MEALS, CLINIC = "jss-baby-2023", "elder-meal-2026", "clinic-checkup-2026"

PROGRAMS = [
    (BABY, "婴儿物资券", "Baby vouchers",
     [Category("formula", "奶粉", "Formula"), Category("diaper", "纸尿裤", "Diapers"),
      Category("clothing", "婴儿衣物", "Baby clothes")],
     [Entitlement(f"v{i}", ("formula", "diaper", "clothing"), Unit.FEN, 5000, Period.TOTAL,
                  once=True) for i in range(1, 5)], 180),
    (MEALS, "长者助餐", "Elderly meals",
     [Category("meal", "餐食", "Meal"), Category("fruit", "水果", "Fruit")],
     [Entitlement("meal", ("meal",), Unit.COUNT, 1, Period.DAY, val=1000),
      Entitlement("fruit", ("meal", "fruit"), Unit.FEN, 2000, Period.WEEK)], 90),
    (CLINIC, "村医体检", "Clinic check-ups",
     [Category("checkup", "体检", "Check-up")],
     [Entitlement("checkup", ("checkup",), Unit.COUNT, 2, Period.YEAR, val=3000)], 365),
]

MERCHANTS = [
    ("baby-shop-01", "阳光母婴店", "baby_shop", BABY, [
        StandardItem("formula-can", BABY, "formula", 12800, "婴儿奶粉（一罐）",
                     "Infant formula (can)"),
        StandardItem("diaper-pack", BABY, "diaper", 6900, "纸尿裤（一包）", "Diapers (pack)"),
    ]),
    ("canteen-01", "幸福社区食堂", "canteen", MEALS, [
        StandardItem("lunch", MEALS, "meal", 1200, "长者午餐", "Senior lunch"),
        StandardItem("fruit-cup", MEALS, "fruit", 500, "水果杯", "Fruit cup"),
    ]),
    ("clinic-01", "青山村卫生室", "clinic", CLINIC, [
        StandardItem("checkup", CLINIC, "checkup", 3000, "基础体检", "Basic check-up"),
    ]),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙"
GIVEN = ["秀英", "桂兰", "建国", "小花", "淑珍", "志强", "玉兰", "德明", "春梅", "国华", "丽娟",
         "卫东"]
PER_PROGRAM = 12


@dataclass(frozen=True)
class DemoBeneficiary:
    sub: str
    program: str
    name: str
    code: str


@dataclass
class DemoSeed:
    issuer_kid: str
    merchants: list[str]
    enrollment_codes: dict[str, str]
    beneficiaries: list[DemoBeneficiary] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)


def demo_key(seed: str, now: int) -> IssuerKey:
    raw = hashlib.sha256(f"merchant-pos demo issuer:{seed}".encode()).digest()
    private = ed25519.Ed25519PrivateKey.from_private_bytes(raw)
    return IssuerKey(private, ISSUER, now - 30 * admin.DAY, now + 730 * admin.DAY)


def seed_demo(engine: Engine, *, now: int, seed: str = "demo", enroll_hours: float = 7 * 24
              ) -> DemoSeed:
    """Fill an empty database with the demo; returns what a demo script needs."""
    kid = admin.create_key(engine, iss=ISSUER, now=now, key=demo_key(seed, now))
    for pid, zh, en, cats, ents, days in PROGRAMS:
        admin.create_program(engine, id=pid, name_zh=zh, name_en=en, tz="Asia/Shanghai",
                             iss=ISSUER, cats=cats, entitlements=ents, code_valid_days=days,
                             now=now)
    codes = {}
    for mid, name, kind, program, items in MERCHANTS:
        admin.create_merchant(engine, id=mid, name=name, kind=kind, program_ids=[program],
                              items=items, now=now)
        codes[mid] = admin.create_enrollment_code(engine, mid, hours=enroll_hours, now=now)
    out = DemoSeed(kid, [m[0] for m in MERCHANTS], codes)
    prefixes = {BABY: "BABY", MEALS: "MEAL", CLINIC: "CLIN"}
    n = 0
    for pid, *_ in PROGRAMS:
        for i in range(PER_PROGRAM):
            name = SURNAMES[n % len(SURNAMES)] + GIVEN[(n * 5) % len(GIVEN)]
            sub = f"B-{prefixes[pid]}-{i + 1:03d}"
            admin.add_beneficiary(engine, program_id=pid, name=name, sub=sub, now=now)
            cti = hashlib.sha256(f"{seed}:{sub}".encode()).digest()[:12]
            issued = admin.issue_beneficiary_code(engine, sub, now=now, cti=cti)
            out.beneficiaries.append(DemoBeneficiary(sub, pid, admin.mask_name(name),
                                                     issued.text))
            n += 1
    return out


def write_demo_files(seed: DemoSeed, folder: Path) -> None:
    """``demo.json`` plus one QR PNG per beneficiary code."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "demo.json").write_text(seed.to_json() + "\n", encoding="utf-8")
    for b in seed.beneficiaries:
        admin.write_qr_png(b.code, str(folder / f"{b.sub}.png"))
