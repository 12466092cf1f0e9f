"""The judge's reads have one SQL text whatever the batch, so PostgreSQL's prepared
statements are reused (psycopg prepares a statement after a few executions of one text);
an expanding ``IN`` would make a new text, and a new statement, for every length."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, text

from merchant_pos.domain.claims import Period
from merchant_pos.domain.periods import period_bounds
from merchant_pos.domain.quote import UsageRecord
from merchant_pos.server import history_totals
from merchant_pos.server.database import create_schema, make_engine
from merchant_pos.server.ledger_history import Judged, load_histories
from merchant_pos.server.requote import Entry
from merchant_pos.server.usage_totals import Deltas
from tests.server.test_history_window import ENTS
from tests.support.codes import DAY, NOW, claims


@pytest.mark.postgres
def test_one_prepared_statement_per_read_whatever_the_batch(
        pg_schema_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # the totals however short the history (the totals below have no draws behind them)
    monkeypatch.setattr(history_totals, "SMALL_HISTORY", 0)
    engine = make_engine(pg_schema_url)
    try:
        create_schema(engine)
        c = claims(ent=ENTS)
        assert {e.per for e in ENTS} >= {Period.DAY, Period.TOTAL}
        upserts: set[str] = set()

        def seen(*args: Any) -> None:
            if "ON CONFLICT" in args[2]:
                upserts.add(args[2])

        event.listen(engine, "before_cursor_execute", seen)
        with engine.connect() as conn:
            for size in range(1, 9):  # a different number of beneficiaries every time
                keys = [("demo-foundation", f"B-{size}-{n}") for n in range(size)]
                totals = Deltas()  # an hour before, some of them drew from "w" and "t"
                totals.count([{"iss": k[0], "sub": k[1], "ent": ent, "per": per, "tz": c.tz,
                               "at": NOW - DAY - 3600, "amount": 100, "units": 0,
                               "voided": False} for k in keys[:1 + size // 2]
                              for ent, per in (("w", "week"), ("t", "total"))])
                totals.flush(conn)
                entries = {k: [Entry(f"r-{k[1]}", NOW - DAY, c, (), (), {})] for k in keys}
                start = {k: (NOW - DAY, f"r-{k[1]}") for k in keys}
                before = load_histories(conn, start, set(), set(), entries, Judged())
                week = period_bounds(Period.WEEK, NOW - DAY, c.zone)
                assert week is not None and week[0] <= NOW - DAY - 3600  # the same week
                drawn = sorted([UsageRecord("t", 100, 0, 0, ""),
                                UsageRecord("w", 100, 0, week[0], "")], key=lambda u: u.at)
                assert before == {k: drawn if k in keys[:1 + size // 2] else [] for k in keys}
            statements = conn.execute(text(
                "SELECT statement FROM pg_prepared_statements "
                "WHERE statement LIKE '%unnest%'")).scalars().all()
    finally:
        engine.dispose()
    # the stored redemptions, the usage totals' shapes and buckets, the draws from the
    # earliest change on (the draws of whole-history ones: only when the totals cannot
    # say), and the shapes' and the buckets' upserts
    assert len(statements) == 6, statements
    assert len(upserts) == 2, upserts
