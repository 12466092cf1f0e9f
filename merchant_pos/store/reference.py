"""Reference data synced from the server: merchant profile, programs, trust list, revocations.

Every change bumps the ``reference`` counter in the same transaction, so the
redemption service can cache the parsed trust list and profile and still see
a change made by another process (one cheap read per quote).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from merchant_pos.domain.trust import RevocationList, TrustedKey, TrustList
from merchant_pos.store.audit import AuditKind
from merchant_pos.store.ledger import Ledger
from merchant_pos.store.models import (
    CounterRow,
    MerchantProfileRow,
    ProgramRow,
    RevocationRow,
    TrustedKeyRow,
)
from merchant_pos.store.sync_state import SyncKind, SyncStateStore

REFERENCE_COUNTER = "reference"


@dataclass(frozen=True, slots=True)
class MerchantProfile:
    merchant_id: str
    merchant_name: str
    kind: str  # baby_shop, canteen, clinic
    device_id: str
    time_zone: str
    programs: tuple[str, ...]
    categories: tuple[str, ...]  # the categories this merchant may redeem


@dataclass(frozen=True, slots=True)
class CategoryInfo:
    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True, slots=True)
class ProgramInfo:
    id: str
    name_zh: str
    name_en: str
    time_zone: str
    categories: tuple[CategoryInfo, ...]


def bump_reference_version(session: Session) -> None:
    stmt = sqlite_insert(CounterRow).values(name=REFERENCE_COUNTER, value=1)
    session.execute(stmt.on_conflict_do_update(
        index_elements=["name"], set_={"value": CounterRow.value + 1}))


def reference_version(session: Session) -> int:
    value = session.scalar(select(CounterRow.value).where(CounterRow.name == REFERENCE_COUNTER))
    return int(value or 0)


class MerchantSettingsStore:
    """This merchant's and device's profile and the programs it takes part in."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def load_profile(self) -> MerchantProfile | None:
        with self.ledger.read() as session:
            return self.profile_in(session)

    @staticmethod
    def profile_in(session: Session) -> MerchantProfile | None:
        row = session.get(MerchantProfileRow, 1)
        if row is None:
            return None
        return MerchantProfile(
            row.merchant_id, row.merchant_name, row.kind, row.device_id, row.time_zone,
            tuple(json.loads(row.programs_json)), tuple(json.loads(row.categories_json)))

    def save_profile(self, profile: MerchantProfile, *, operator_id: int | None = None) -> None:
        """Store the profile (config sync or first-run set-up); audited as a settings change."""
        now = self.ledger.clock()
        with self.ledger.write() as session:
            old = self.profile_in(session)
            row = session.get(MerchantProfileRow, 1) or MerchantProfileRow(id=1)
            row.merchant_id, row.merchant_name = profile.merchant_id, profile.merchant_name
            row.kind, row.device_id = profile.kind, profile.device_id
            row.time_zone = profile.time_zone
            row.programs_json = json.dumps(list(profile.programs))
            row.categories_json = json.dumps(list(profile.categories))
            row.updated_at = now
            session.add(row)
            session.flush()
            bump_reference_version(session)
            changed = {
                field: getattr(profile, field) for field in profile.__slots__
                if old is None or getattr(old, field) != getattr(profile, field)
            }
            self.ledger.audit.append(session, at=now, kind=AuditKind.SETTINGS_CHANGE,
                                     operator_id=operator_id,
                                     payload={"what": "merchant_profile", "changed": changed})

    def save_programs(self, programs: Sequence[ProgramInfo]) -> None:
        now = self.ledger.clock()
        with self.ledger.write() as session:
            session.execute(delete(ProgramRow))
            for p in programs:
                cats = [{"code": c.code, "name_zh": c.name_zh, "name_en": c.name_en}
                        for c in p.categories]
                session.add(ProgramRow(id=p.id, name_zh=p.name_zh, name_en=p.name_en,
                                       time_zone=p.time_zone,
                                       categories_json=json.dumps(cats, ensure_ascii=False),
                                       updated_at=now))
            session.flush()
            bump_reference_version(session)
            self.ledger.audit.append(session, at=now, kind=AuditKind.SETTINGS_CHANGE,
                                     operator_id=None,
                                     payload={"what": "programs",
                                              "ids": sorted(p.id for p in programs)})

    def programs(self) -> list[ProgramInfo]:
        with self.ledger.read() as session:
            rows = session.scalars(select(ProgramRow).order_by(ProgramRow.id)).all()
            return [ProgramInfo(r.id, r.name_zh, r.name_en, r.time_zone,
                                tuple(CategoryInfo(c["code"], c["name_zh"], c["name_en"])
                                      for c in json.loads(r.categories_json)))
                    for r in rows]


class TrustStore:
    """Issuer keys and revocations as last synced."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def replace_trust_list(self, trust: TrustList) -> bool:
        """Replace all keys (the server sends the whole list) and mark trust fresh.

        Only a real change is written, bumps the reference version and is audited
        (every sync sends the list: unchanged, it must leave no audit row). Returns
        whether the keys changed."""
        now = self.ledger.clock()
        keys = [TrustedKey.from_json(entry) for entry in trust.to_json()]
        wanted = sorted((k.kid, k.alg, k.iss, k.raw_key, k.not_before, k.not_after)
                        for k in keys)
        with self.ledger.write() as session:
            stored = sorted(tuple(r) for r in session.execute(
                select(TrustedKeyRow.kid, TrustedKeyRow.alg, TrustedKeyRow.iss,
                       TrustedKeyRow.raw_key, TrustedKeyRow.not_before,
                       TrustedKeyRow.not_after)).all())
            if stored == wanted:
                SyncStateStore.mark_fresh_in(session, SyncKind.TRUST, now)
                return False
            session.execute(delete(TrustedKeyRow))
            for k in keys:
                session.add(TrustedKeyRow(kid=k.kid, alg=k.alg, iss=k.iss, raw_key=k.raw_key,
                                          not_before=k.not_before, not_after=k.not_after))
            session.flush()
            bump_reference_version(session)
            SyncStateStore.mark_fresh_in(session, SyncKind.TRUST, now)
            self.ledger.audit.append(session, at=now, kind=AuditKind.SETTINGS_CHANGE,
                                     operator_id=None,
                                     payload={"what": "trust_list", "keys": len(keys)})
        return True

    @staticmethod
    def trust_list_in(session: Session) -> TrustList:
        rows = session.scalars(select(TrustedKeyRow)).all()
        return TrustList(TrustedKey.from_raw(alg=r.alg, raw_key=r.raw_key, iss=r.iss,
                                             not_before=r.not_before, not_after=r.not_after,
                                             kid=r.kid) for r in rows)

    def trust_list(self) -> TrustList:
        with self.ledger.read() as session:
            return self.trust_list_in(session)

    def apply_revocations_page(self, *, revoked_cti: Iterable[bytes] = (),
                               revoked_sub: Iterable[str] = (),
                               lifted_cti: Iterable[bytes] = (),
                               lifted_sub: Iterable[str] = (),
                               cursor: str | None = None) -> None:
        """Apply one page of revocation deltas and store its cursor, in one transaction."""
        now = self.ledger.clock()
        adds = [("cti", c.hex()) for c in revoked_cti] + [("sub", s) for s in revoked_sub]
        lifts = [("cti", c.hex()) for c in lifted_cti] + [("sub", s) for s in lifted_sub]
        with self.ledger.write() as session:
            if adds:
                session.execute(
                    sqlite_insert(RevocationRow).on_conflict_do_nothing(),
                    [{"kind": k, "value": v, "received_at": now} for k, v in adds])
            for kind, value in lifts:
                session.execute(delete(RevocationRow).where(RevocationRow.kind == kind,
                                                            RevocationRow.value == value))
            if adds or lifts:  # an empty page changes nothing: keep the verifier's cache
                bump_reference_version(session)
            if cursor is not None:
                SyncStateStore.set_cursor_in(session, SyncKind.REVOCATIONS, cursor)
            SyncStateStore.mark_fresh_in(session, SyncKind.REVOCATIONS, now)

    @staticmethod
    def revocations_in(session: Session) -> RevocationList:
        rows = session.execute(select(RevocationRow.kind, RevocationRow.value)).all()
        return RevocationList(
            cti=frozenset(bytes.fromhex(v) for k, v in rows if k == "cti"),
            sub=frozenset(v for k, v in rows if k == "sub"))

    def revocations(self) -> RevocationList:
        with self.ledger.read() as session:
            return self.revocations_in(session)
