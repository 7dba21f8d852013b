"""What the large dataset's generators share (data/demo/scale.py, P1): a number series to
generate rows from, timestamps and word tables in each engine's SQL, and the progress
callback.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import Connection, text

Progress = Callable[[str], None]


def make_series(conn: Connection, dialect: str, count: int) -> None:
    """TEMP table gen_seq(i) holding 0..count-1, indexed: joins on `i < n` then visit only
    the rows they need (a recursive CTE would be re-run for every outer row)."""
    conn.execute(text("DROP TABLE IF EXISTS gen_seq"))
    conn.execute(text("CREATE TEMPORARY TABLE gen_seq (i INTEGER PRIMARY KEY)"))
    if dialect == "postgresql":
        source = "SELECT generate_series(0, :n - 1)"
    else:
        source = ("WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s "
                  "WHERE i + 1 < :n) SELECT i FROM s")
    conn.execute(text(f"INSERT INTO gen_seq (i) {source}"), {"n": count})


def timestamp_sql(dialect: str, epoch_seconds: str) -> str:
    """A naive timestamp from epoch seconds, stored the way SQLAlchemy stores DateTime."""
    if dialect == "postgresql":
        return f"(to_timestamp({epoch_seconds}) AT TIME ZONE 'UTC')"
    return f"(strftime('%Y-%m-%d %H:%M:%S', {epoch_seconds}, 'unixepoch') || '.000000')"


def word_table(conn: Connection, name: str, columns: str, rows: list[tuple[object, ...]]) -> None:
    conn.execute(text(f"DROP TABLE IF EXISTS {name}"))
    conn.execute(text(f"CREATE TEMPORARY TABLE {name} (i INTEGER PRIMARY KEY, {columns})"))
    names = [c.split()[0] for c in columns.split(",")]
    placeholders = ", ".join(f":{n}" for n in ["i", *names])
    conn.execute(
        text(f"INSERT INTO {name} (i, {', '.join(names)}) VALUES ({placeholders})"),
        [dict(zip(["i", *names], (i, *row), strict=True)) for i, row in enumerate(rows)],
    )


def epoch(day: date) -> int:
    return int((datetime.combine(day, datetime.min.time()) - datetime(1970, 1, 1)).total_seconds())
