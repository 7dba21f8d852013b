"""Bulk writes with explicit ids (demo data, generators, imports)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, text

from segtui.data.models import Base

CHUNK = 5_000


def insert_rows(conn: Connection, table: Table, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert rows in chunks (one executemany each); returns how many were written."""
    total = 0
    iterator = iter(rows)
    while chunk := list(islice(iterator, CHUNK)):
        conn.execute(insert(table), chunk)
        total += len(chunk)
    return total


def reset_sequences(conn: Connection, tables: Sequence[Table] | None = None) -> None:
    """After inserting explicit ids on PostgreSQL, move each id sequence past the max id.

    SQLite needs nothing: its rowid allocator always continues after the largest id.
    """
    if conn.dialect.name != "postgresql":
        return
    for table in tables or Base.metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not pk[0].autoincrement or pk[0].type.python_type is not int:
            continue
        column = pk[0]
        highest = conn.execute(select(func.max(column))).scalar()
        conn.execute(
            text("SELECT setval(pg_get_serial_sequence(:table, :column), :value, :called)"),
            {
                "table": table.name,
                "column": column.name,
                "value": highest or 1,
                "called": highest is not None,
            },
        )
