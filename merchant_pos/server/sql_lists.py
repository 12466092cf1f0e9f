"""Lists in SQL whose statement text does not depend on the list's length.

An expanding ``IN (...)`` is new SQL text for every length, so PostgreSQL never
reuses a prepared statement for it (psycopg prepares a statement after a few
executions of the same text). On PostgreSQL a list is one array parameter
(``= ANY(:list)``, ``unnest(:a, :b)``); SQLite has no arrays and no prepared
statements across calls to speak of, so it gets one JSON text parameter (``json_each``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    FromClause,
    String,
    any_,
    bindparam,
    column,
    func,
    select,
    type_coerce,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeEngine

TEXT: TypeEngine[Any] = String()
INT: TypeEngine[Any] = BigInteger()


def in_list(conn: Connection, col: ColumnElement[Any], items: Sequence[Any],
            type_: TypeEngine[Any] = TEXT, name: str | None = None) -> ColumnElement[bool]:
    """``col IN items``: one array parameter on PostgreSQL."""
    if conn.dialect.name == "postgresql":
        param = bindparam(name or f"{col.key}_list", list(items),
                          type_=postgresql.ARRAY(type_))
        return col == any_(param)
    return col.in_(list(items))


def rows_table(conn: Connection, name: str, columns: Sequence[tuple[str, TypeEngine[Any]]],
               rows: Sequence[tuple[Any, ...]]) -> FromClause:
    """A derived table of ``rows``: ``unnest`` of one array per column on PostgreSQL,
    ``json_each`` of one JSON array of rows on SQLite."""
    if conn.dialect.name == "postgresql":
        arrays = [bindparam(f"{name}_{c}", [r[i] for r in rows], type_=postgresql.ARRAY(t))
                  for i, (c, t) in enumerate(columns)]
        return (func.unnest(*arrays).table_valued(*(column(c, t) for c, t in columns))
                .render_derived(name=name))
    # One JSON text parameter: VALUES would be compiled afresh for every row of every
    # batch (SQLAlchemy renders its data into the statement), milliseconds per batch.
    each = func.json_each(bindparam(f"{name}_json", json.dumps([list(r) for r in rows])))
    items = each.table_valued("value")
    return select(*(type_coerce(func.json_extract(items.c.value, f"$[{i}]"), t).label(c)
                    for i, (c, t) in enumerate(columns))).cte(name)
