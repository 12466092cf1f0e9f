"""Usage running totals in the ledger (issue 14): every writer keeps them, the quote reads
them, the migration builds them for an old ledger, and ``audit verify`` sees them edited."""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from merchant_pos.domain import CartLine
from merchant_pos.domain.claims import Claims, Entitlement, Period, Unit, parse_claims
from merchant_pos.domain.cose import loads_cbor, parse_cose_sign1, unwrap_text
from merchant_pos.domain.periods import period_bounds
from merchant_pos.domain.quote import quote
from merchant_pos.domain.usage_totals import usage_at
from merchant_pos.store import (
    Ledger,
    LedgerError,
    PushOutcome,
    PushResult,
    RedemptionOutbox,
    ServerUsage,
    UsageLedger,
)
from merchant_pos.store import usage_totals as totals
from merchant_pos.store.audit_findings import FindingId
from merchant_pos.store.migrate import head_revision, read_revision
from merchant_pos.store.usage import usage_for
from tests.store.conftest import Counter, FakeClock
from tests.support.codes import DAY, NOW, claims, make_code

OLD = Path(__file__).parents[1] / "data" / "db" / "ledger-0003-history"
CARTS = {"elder": [CartLine("meal", 1500), CartLine("fruit", 2500)],
         "clinic": [CartLine("checkup", 3000, 3)],
         "baby": [CartLine("formula", 30000)]}


def rid() -> str:
    return str(uuid.uuid4())


def claims_of(code: str) -> Claims:
    return parse_claims(loads_cbor(parse_cose_sign1(unwrap_text(code)).payload))


def from_draws(ledger: Ledger, c: Claims, now: int, cart: list[CartLine]) -> object:
    with ledger.read_raw() as db:
        return quote(c, now, cart, usage_for(db, c.iss, c.sub)).to_json()


def from_totals_only(ledger: Ledger, c: Claims, now: int, cart: list[CartLine]) -> object:
    """The quote from the totals alone; fails if they would fall back to the draws."""
    with ledger.read_raw() as db:
        shapes = totals.read_shapes(db, c.iss, c.sub)

        def read(ent: str, per: Period, tz: str, start: int) -> totals.Bucket | None:
            row = db.execute("SELECT period_end, amount, units, records FROM usage_totals"
                             " WHERE iss = ? AND sub = ? AND ent = ? AND period_start = ?"
                             " AND per = ? AND tz = ?",
                             (c.iss, c.sub, ent, start, per.value, tz)).fetchone()
            return None if row is None else totals.Bucket(*row)

        usage = usage_at(c, now, shapes, read)
    assert usage is not None, "the totals fell back to the draws"
    return quote(c, now, cart, usage).to_json()


def findings(ledger: Ledger) -> list[str]:
    with ledger.read_raw() as db:
        return [f.subject for f in totals.check(db)]


def test_an_old_ledger_with_history_gets_its_totals_from_the_migration(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(OLD, folder)
    assert read_revision(folder / "ledger.sqlite3") == "0003_i11b_secrets_at_rest"
    fixture = json.loads((folder / "codes.json").read_text())
    clock = FakeClock(fixture["quote_at"][0])
    with Ledger.open(folder, clock=clock) as ledger:
        assert read_revision(ledger.path) == head_revision()  # 0004_n14a and after
        assert findings(ledger) == []
        with ledger.read_raw() as db:
            shapes = {(r[0], r[1]): (r[2], r[3]) for r in db.execute(
                "SELECT sub, ent, per, tz FROM usage_totals_shape")}
            buckets = db.execute("SELECT count(*), sum(records) FROM usage_totals").fetchone()
        # Shapes from the receipt snapshots: each code's periods and zone.
        assert shapes[("B-HIST-ELDER", "meal")] == ("day", "Asia/Shanghai")
        assert shapes[("B-HIST-ELDER", "fruit")] == ("week", "Asia/Shanghai")
        assert shapes[("B-HIST-CLINIC", "checkup")] == ("year", "America/New_York")
        assert shapes[("B-HIST-BABY", "v1")] == ("total", "Asia/Shanghai")
        assert buckets[0] > 40 and buckets[1] > 40
        for at in fixture["quote_at"]:
            for name, code in fixture["codes"].items():
                c = claims_of(code)
                assert from_totals_only(ledger, c, at, CARTS[name]) == from_draws(
                    ledger, c, at, CARTS[name]), (name, at)
        # The service reads them too, and a redemption keeps them equal to the draws.
        clock.now = fixture["quote_at"][0]
        elder = fixture["codes"]["elder"]
        from merchant_pos.store import OperatorRegistry, RedemptionService
        from tests.store.conftest import FAST_PINS
        ops = OperatorRegistry(ledger, hasher=FAST_PINS)
        service = RedemptionService(ledger, ops)
        got = service.quote(elder, CARTS["elder"]).quote.to_json()
        assert got == from_draws(ledger, claims_of(elder), clock.now, CARTS["elder"])


def test_every_writer_keeps_the_totals_equal_to_the_draws(counter: Counter) -> None:
    meal = claims(prg="elder-meal", sub="B-TOT-1", ent=(
        Entitlement("meal", ("meal",), Unit.COUNT, 1, Period.DAY, val=1000),
        Entitlement("fruit", ("meal", "fruit"), Unit.FEN, 2000, Period.WEEK)))
    code = make_code(counter.key, meal)
    lunch = [CartLine("meal", 1500)]
    usage, outbox = UsageLedger(counter.ledger), RedemptionOutbox(counter.ledger)
    counter.cashier.idle_seconds = 10**9  # the test's clock jumps days
    first = counter.service.redeem(rid(), code, lunch, counter.cashier)
    assert findings(counter.ledger) == []
    counter.clock.advance(DAY)
    second = counter.service.redeem(rid(), code, lunch, counter.cashier)
    third_day = counter.clock.now
    counter.service.void(second.redemption_id, void_id=rid(),
                         supervisor_name=counter.supervisor_name,
                         supervisor_pin=counter.supervisor_pin, reason="退货")
    assert findings(counter.ledger) == []
    # Accepted, then the server re-allocates our first one to fruit only; another shop.
    outbox.apply_results([PushResult(first.redemption_id, PushOutcome.ACCEPTED)])
    usage.apply_usage_page([
        ServerUsage(first.redemption_id, meal.iss, meal.sub, "meal", 0, 0, 0, voided=True),
        ServerUsage(first.redemption_id, meal.iss, meal.sub, "fruit", 1500, 0,
                    first.at),
        ServerUsage("other-shop", meal.iss, meal.sub, "meal", 1000, 1, third_day - 60),
    ], cursor="u1")
    assert findings(counter.ledger) == []
    third = counter.service.redeem(rid(), code, [CartLine("fruit", 400)], counter.cashier)
    outbox.apply_results([PushResult(third.redemption_id, PushOutcome.REJECTED, "limit")])
    assert findings(counter.ledger) == []
    for cart in ([CartLine("meal", 1500)], [CartLine("fruit", 5000)]):
        assert from_totals_only(counter.ledger, meal, counter.clock.now, cart) == from_draws(
            counter.ledger, meal, counter.clock.now, cart)
    # Meal today: the other shop's; fruit this week: 500 (first, re-allocated) + ...
    q = counter.service.quote(code, [CartLine("meal", 1500), CartLine("fruit", 5000)])
    assert q.quote.to_json() == from_draws(counter.ledger, meal, counter.clock.now,
                                           [CartLine("meal", 1500), CartLine("fruit", 5000)])


def test_a_code_with_other_periods_falls_back_then_rebuckets(counter: Counter) -> None:
    daily = claims(prg="elder-meal", sub="B-TOT-2", ent=(
        Entitlement("meal", ("meal",), Unit.FEN, 3000, Period.DAY),))
    weekly = replace(daily, ent=(Entitlement("meal", ("meal",), Unit.FEN, 9000, Period.WEEK),),
                     tz="Asia/Tokyo")
    day_code, week_code = make_code(counter.key, daily), make_code(counter.key, weekly)
    counter.cashier.idle_seconds = 10**9  # the test's clock jumps days
    for _ in range(3):
        counter.service.redeem(rid(), day_code, [CartLine("meal", 1000)], counter.cashier)
        counter.clock.advance(DAY)
    cart = [CartLine("meal", 9000)]
    # The weekly code differs from the buckets: its quote comes from the draws, exactly.
    assert counter.service.quote(week_code, cart).quote.to_json() == from_draws(
        counter.ledger, weekly, counter.clock.now, cart)
    with pytest.raises(AssertionError):
        from_totals_only(counter.ledger, weekly, counter.clock.now, cart)
    counter.service.redeem(rid(), week_code, [CartLine("meal", 100)], counter.cashier)
    assert findings(counter.ledger) == []
    assert from_totals_only(counter.ledger, weekly, counter.clock.now, cart) == from_draws(
        counter.ledger, weekly, counter.clock.now, cart)


def test_audit_verify_names_hand_edited_totals(counter: Counter) -> None:
    code = make_code(counter.key, claims(sub="B-TOT-3"))
    counter.service.redeem(rid(), code, [CartLine("formula", 3000)], counter.cashier)
    assert counter.ledger.verify_audit().ok
    path = counter.ledger.path
    for edit in ("UPDATE usage_totals_shape SET per = 'day' WHERE records > 0",
                 "UPDATE usage_totals SET amount = 0, records = 0",
                 "UPDATE usage_totals SET amount = amount - 1000",
                 "DELETE FROM usage_totals",
                 "UPDATE usage_totals_shape SET records = 0",
                 "DELETE FROM usage_totals_shape WHERE records > 0"):
        raw = sqlite3.connect(path)
        raw.execute("SAVEPOINT s")
        raw.execute(edit)
        raw.commit()
        try:
            result = counter.ledger.verify_audit()
            assert not result.ok, edit
            assert FindingId.USAGE_TOTALS_DIFFER in {f.id for f in result.findings}, edit
        finally:
            with counter.ledger.write() as session:
                db = totals_db(session)
                totals.rebuild(db, totals.snapshot_shapes(db))
        assert counter.ledger.verify_audit().ok


def totals_db(session: object) -> sqlite3.Connection:
    from merchant_pos.store.engine import raw_connection
    return raw_connection(session)  # type: ignore[arg-type]


# -- the property: totals-based quote == draw-based quote on random histories ---------
ZONES = ("Asia/Shanghai", "America/New_York", "Australia/Lord_Howe", "UTC")
ENTS = (Entitlement("d", ("meal",), Unit.COUNT, 3, Period.DAY, val=500),
        Entitlement("w", ("meal", "fruit"), Unit.FEN, 4000, Period.WEEK),
        Entitlement("m", ("fruit",), Unit.FEN, 6000, Period.MONTH),
        Entitlement("y", ("checkup",), Unit.COUNT, 4, Period.YEAR, val=3000),
        Entitlement("v", ("formula",), Unit.FEN, 5000, Period.TOTAL, once=True))
CART = [CartLine("meal", 1200, 2), CartLine("fruit", 3000), CartLine("checkup", 3000),
        CartLine("formula", 2000)]
STEP = st.one_of(
    st.tuples(st.just("redeem"), st.sampled_from([0, 1]), st.integers(0, 3)),
    st.tuples(st.just("void"), st.integers(0, 30), st.just(0)),
    st.tuples(st.just("answer"), st.integers(0, 30),
              st.sampled_from([PushOutcome.ACCEPTED, PushOutcome.REJECTED,
                               PushOutcome.CONFLICT])),
    st.tuples(st.just("realloc"), st.integers(0, 30), st.sampled_from("dwmyv")),
    st.tuples(st.just("other"), st.sampled_from("dwmyv"), st.sampled_from(["first", "last",
                                                                           "before"])),
    st.tuples(st.just("clock"), st.sampled_from(["edge", "hour", "day", "week"]), st.just(0)),
)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(tz=st.sampled_from(ZONES), other_tz=st.sampled_from(ZONES),
       steps=st.lists(STEP, min_size=4, max_size=18))
def test_totals_quote_equals_draws_quote_on_random_histories(
        tmp_path_factory: pytest.TempPathFactory, key: object, tz: str, other_tz: str,
        steps: list[tuple[object, object, object]]) -> None:
    from merchant_pos.store import OperatorRegistry, RedemptionService
    from tests.store.conftest import BABY_SHOP, FAST_PINS, configure

    clock = FakeClock(NOW)
    with Ledger.open(tmp_path_factory.mktemp("prop") / "data", clock=clock) as ledger:
        configure(ledger, key, replace(BABY_SHOP, categories=(  # type: ignore[arg-type]
            "formula", "meal", "fruit", "checkup")))
        ops = OperatorRegistry(ledger, hasher=FAST_PINS)
        ops.create_first_supervisor("王主管", "9999")
        boss = ops.sign_in("王主管", "9999")
        boss.idle_seconds = 10**9
        service = RedemptionService(ledger, ops)
        base = claims(prg="elder-meal", sub="B-PROP", ent=ENTS, tz=tz,
                      exp=NOW + 400 * DAY)
        variants = [base, replace(base, tz=other_tz, ent=(
            replace(ENTS[0], per=Period.WEEK), *ENTS[1:]))]
        codes = [make_code(key, c) for c in variants]  # type: ignore[arg-type]
        ours: list[str] = []
        last: int | None = None
        usage, outbox = UsageLedger(ledger), RedemptionOutbox(ledger)
        for kind, a, b in steps:
            if kind == "redeem":
                k = int(a)  # type: ignore[call-overload]
                try:
                    ours.append(service.redeem(rid(), codes[k], CART[int(b):],  # type: ignore[call-overload]
                                               boss).redemption_id)
                    last = k
                except LedgerError:
                    pass  # nothing covered: nothing stored
            elif kind in ("void", "answer", "realloc") and ours:
                target = ours[int(a) % len(ours)]  # type: ignore[call-overload]
                if kind == "void":
                    with contextlib.suppress(LedgerError):  # another day, already voided
                        service.void(target, void_id=rid(), supervisor_name="王主管",
                                     supervisor_pin="9999", reason="退货")
                elif kind == "answer":
                    outbox.apply_results([PushResult(target, b)])  # type: ignore[arg-type]
                else:
                    usage.apply_usage_page([
                        ServerUsage(target, base.iss, base.sub, "d", 0, 0, 0, voided=True),
                        ServerUsage(target, base.iss, base.sub, str(b), 700, 1, clock.now)],
                        cursor=None)
            elif kind == "other":
                ent = next(e for e in ENTS if e.id == a)
                span = period_bounds(ent.per, clock.now, base.zone) or (clock.now, clock.now)
                at = {"first": span[0], "last": span[1] - 1, "before": span[0] - 1}[str(b)]
                usage.apply_usage_page([ServerUsage(rid(), base.iss, base.sub, ent.id, 900, 1,
                                                    at)], cursor=None)
            elif kind == "clock":
                if a == "edge":  # the first second of the next day in the code's zone
                    span = period_bounds(Period.DAY, clock.now, base.zone)
                    assert span is not None
                    clock.now = span[1]
                else:
                    clock.advance({"hour": 3600, "day": DAY, "week": 7 * DAY}[str(a)])
            now = clock.now
            for c, code in zip(variants, codes, strict=True):
                assert service.quote(code, CART).quote.to_json() == from_draws(
                    ledger, c, now, CART)
            if last is not None:  # the code redeemed last: its quote needs no draws
                assert from_totals_only(ledger, variants[last], now, CART) == from_draws(
                    ledger, variants[last], now, CART)
            assert findings(ledger) == []


