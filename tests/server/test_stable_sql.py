"""The judge's reads have one SQL text whatever the batch, so PostgreSQL's prepared
statements are reused (psycopg prepares a statement after a few executions of one text);
an expanding ``IN`` would make a new text, and a new statement, for every length."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from merchant_pos.domain.claims import Period
from merchant_pos.server.database import create_schema, make_engine
from merchant_pos.server.ledger_history import Judged, load_histories
from merchant_pos.server.requote import Entry
from tests.server.test_history_window import ENTS
from tests.support.codes import DAY, NOW, claims


@pytest.mark.postgres
def test_one_prepared_statement_per_read_whatever_the_batch(pg_schema_url: str) -> None:
    engine = make_engine(pg_schema_url)
    try:
        create_schema(engine)
        c = claims(ent=ENTS)
        assert {e.per for e in ENTS} >= {Period.DAY, Period.TOTAL}
        with engine.connect() as conn:
            for size in range(1, 9):  # a different number of beneficiaries every time
                keys = [("demo-foundation", f"B-{size}-{n}") for n in range(size)]
                entries = {k: [Entry(f"r-{k[1]}", NOW - DAY, c, (), (), {})] for k in keys}
                start = {k: (NOW - DAY, f"r-{k[1]}") for k in keys}
                before = load_histories(conn, start, set(), set(), entries, Judged())
                assert before == {k: [] for k in keys}
            statements = conn.execute(text(
                "SELECT statement FROM pg_prepared_statements "
                "WHERE statement LIKE '%unnest%'")).scalars().all()
    finally:
        engine.dispose()
    # the stored redemptions, the draws in the window, the draws of whole-history ones
    assert len(statements) == 3, statements
