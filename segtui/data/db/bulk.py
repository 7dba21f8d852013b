"""Bulk writes with explicit ids (demo data, generators, imports), and the lookup of a
batch's values (`one_of`)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    String,
    Table,
    any_,
    cast,
    func,
    insert,
    literal,
    select,
    text,
)
from sqlalchemy.schema import AddConstraint, DropConstraint

from segtui.data.db.tables import metadata

CHUNK = 5_000


def insert_rows(conn: Connection, table: Table, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert rows (all with the same keys) in chunks: one executemany each, or on
    PostgreSQL one COPY (copy_rows); returns how many were written."""
    total = 0
    iterator = iter(rows)
    while chunk := list(islice(iterator, CHUNK)):
        if conn.dialect.name == "postgresql":
            columns = list(chunk[0])
            copy_rows(conn, table, columns, ([row[c] for c in columns] for row in chunk))
        else:
            conn.execute(insert(table), chunk)
        total += len(chunk)
    return total


MAX_ROWS_PER_STATEMENT = 2_000
PG_MAX_PARAMETERS = 65_535  # the wire protocol counts parameters in 16 bits


def insert_values(conn: Connection, table: Table, columns: Sequence[str],
                  rows: Sequence[Sequence[Any]], *, tail: str = "") -> list[Any]:
    """Insert rows (tuples in `columns` order) with multi-row VALUES statements.

    Why not `conn.execute(insert(table), dicts)`: an executemany re-runs the statement
    once per row, and SQLite then rebuilds the lookup table of every `CHECK (x IN (...))`
    on each row; with the contacts table's three vocabulary checks that was 12 us of 23 us
    per row, measured on 200,000 rows. One statement of 2,000 rows builds them once, and
    passing tuples skips SQLAlchemy's per-row dictionary work. Values go through each
    column's own bind processor, so they are stored exactly as the ORM stores them
    (SQLite datetimes as text, enums as their values).

    `tail` ends each statement (e.g. "ON CONFLICT DO NOTHING RETURNING id"); the rows a
    RETURNING gives back are returned, in no promised order."""
    if not rows:
        return []
    returned: list[Any] = []
    dialect = conn.dialect
    convert = _converter(conn, table, columns)
    marker = _marker(conn)
    quote = dialect.identifier_preparer.quote
    head = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
            "VALUES ")
    one = "(" + ", ".join([marker] * len(columns)) + ")"
    per_statement = max(1, min(MAX_ROWS_PER_STATEMENT,
                               _max_parameters(conn) // len(columns)))
    for start in range(0, len(rows), per_statement):
        part = rows[start:start + per_statement]
        flat: list[Any] = []
        for row in part:
            flat.extend(convert(row))
        result = conn.exec_driver_sql(head + ", ".join([one] * len(part)) + tail,
                                      tuple(flat))
        if result.returns_rows:
            returned.extend(result.fetchall())
    return returned


def one_of(conn: Connection, column: ColumnElement[Any], values: Iterable[str]
           ) -> ColumnElement[bool]:
    """`column` is one of `values`, sent as ONE JSON parameter and searched through
    `column`'s index value by value: SQLite `IN (SELECT value FROM json_each(?))`,
    PostgreSQL `= ANY(ARRAY(SELECT jsonb_array_elements_text(?)))`, whatever the planner
    estimates. For an import batch's thousands of values: the statement's text is the
    same for every batch (psycopg prepares it once); SQLAlchemy compiled an IN list of
    2,000 placeholders again for every batch, and psycopg builds a `text[]`'s text in
    Python value by value (9-11 ms for 2,000 emails, 7 ms as JSON; C21.1.13, P11)."""
    listed = json.dumps(list(values))
    if conn.dialect.name == "postgresql":
        # Here, not at the top: a read command on SQLite never loads PostgreSQL's dialect
        # (tests/test_cli_start.py).
        from sqlalchemy.dialects.postgresql import JSONB

        return column == any_(func.array(select(func.jsonb_array_elements_text(
            cast(literal(listed, String), JSONB))).scalar_subquery()))
    return column.in_(select(func.json_each(listed).table_valued("value").c.value))


def update_by_id(conn: Connection, table: Table, columns: Sequence[str],
                 rows: Iterable[Sequence[Any]], *, added: Sequence[str] = ()) -> None:
    """UPDATE `table` SET each of `columns` to a value and each of `added` up by an amount,
    WHERE id is the row's: rows of (the columns' values, the amounts, the id), one
    executemany of the driver's own statement. Why not `conn.execute(update(table),
    dicts)`: SQLAlchemy turns each row's dictionary into the driver's parameters in
    Python: 10,000 scattered contacts' titles at 1M took 140-143 ms that way, 118-126 ms
    this way (SQLite's own work is most of both; C21.1.13). The values still go through
    their columns' bind processors (_converter)."""
    marker = _marker(conn)
    quote = conn.dialect.identifier_preparer.quote
    convert = _converter(conn, table, columns)
    width = len(columns)
    sets = [*(f"{quote(c)} = {marker}" for c in columns),
            *(f"{quote(c)} = {quote(c)} + {marker}" for c in added)]
    statement = f"UPDATE {quote(table.name)} SET {', '.join(sets)} WHERE id = {marker}"
    converted = [(*convert(row[:width]), *row[width:]) for row in rows]
    if converted:
        conn.exec_driver_sql(statement, converted)


def _marker(conn: Connection) -> str:
    """The driver's parameter placeholder: SQLite's "?", psycopg's "%s"."""
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def _converter(conn: Connection, table: Table, columns: Sequence[str]
               ) -> Callable[[Sequence[Any]], Sequence[Any]]:
    """A function giving a row (in `columns` order) as the driver takes it: each value
    through its column's bind processor, as the ORM stores it (SQLite datetimes as text,
    enums as their values). A column's values repeat (a status, an import's one "created"
    date): each distinct value is converted once per call of this function; a dictionary
    lookup costs less than a processor."""
    dialect = conn.dialect
    processors: list[Callable[[Any], Any] | None] = [
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if name in table.c else None for name in columns]
    converting: list[tuple[int, Callable[[Any], Any], dict[Any, Any]]] = [
        (i, p, {}) for i, p in enumerate(processors) if p is not None]
    if not converting:
        return lambda row: row

    def convert(row: Sequence[Any]) -> Sequence[Any]:
        values = list(row)
        for i, process, done in converting:
            value = values[i]
            try:
                values[i] = done[value]
            except KeyError:
                values[i] = done[value] = process(value)
            except TypeError:  # unhashable: converted each time
                values[i] = process(value)
        return values

    return convert


def copy_rows(conn: Connection, table: Table | str, columns: Sequence[str],
              rows: Iterable[Sequence[Any]], *, types: Table | None = None) -> int:
    """PostgreSQL: write rows (tuples in `columns` order) with COPY ... FROM STDIN, the
    server's bulk path: no statement to parse or plan per batch, no parameter limit.
    `table` may be the name of a table the metadata doesn't know (a TEMP staging table);
    `types` is then the table whose columns of the same names say how to convert values
    (a column it lacks is passed as it is).
    Returns how many rows were written."""
    name = table if isinstance(table, str) else table.name
    source = types if types is not None else table
    assert isinstance(source, Table)
    convert = _converter(conn, source, columns)
    quote = conn.dialect.identifier_preparer.quote
    driver = conn.connection.driver_connection
    assert driver is not None
    count = 0
    with driver.cursor() as cursor, cursor.copy(
            f"COPY {quote(name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    ) as copy:
        for row in rows:
            copy.write_row(convert(row))
            count += 1
    return count


def _max_parameters(conn: Connection) -> int:
    """Bound parameters one statement may have: SQLite's compile-time limit (999 before
    3.32, 32,766 since) asked of the connection itself."""
    if conn.dialect.name != "sqlite":
        return PG_MAX_PARAMETERS
    driver = conn.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    return driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


@contextmanager
def indexes_rebuilt_after(conn: Connection, table: Table, keep: Sequence[str] = ()
                          ) -> Iterator[None]:
    """Drop the table's secondary indexes (except those named in `keep`, which the bulk
    write itself looks things up by), run the bulk write, build them again: building an
    index once over sorted data is far faster than maintaining it row by row. If the
    write fails, the caller's transaction rolls the drops back with it."""
    indexes = [index for index in table.indexes if index.name not in keep]
    for index in indexes:
        index.drop(conn)
    yield
    for index in indexes:
        index.create(conn)


@contextmanager
def foreign_keys_checked_after(conn: Connection, tables: Sequence[Table]) -> Iterator[None]:
    """PostgreSQL: drop the tables' foreign keys, run the bulk write, add them back. A
    foreign key is checked by a query per written row (ten million for the reference
    dataset's events, and each locks the row it finds); adding the constraint back checks
    every row at once, with one join. A row that breaks one fails the ADD, and with it the
    caller's transaction, which also rolls the drops back. Dropping a constraint locks its
    tables until the commit: for databases nobody else uses yet (the demo builder).
    SQLite: nothing to do (its foreign keys are checked per row, or not at all)."""
    if conn.dialect.name != "postgresql":
        yield
        return
    from segtui.data.db.member_keys import TRIGGER_HELD  # not foreign keys there

    constraints = [fk for table in tables for fk in table.foreign_key_constraints
                   if fk.name not in TRIGGER_HELD]
    for constraint in constraints:
        conn.execute(DropConstraint(constraint))
    yield
    for constraint in constraints:
        conn.execute(AddConstraint(constraint))


def reset_sequences(conn: Connection, tables: Sequence[Table] | None = None) -> None:
    """After inserting explicit ids on PostgreSQL, move each id sequence past the max id.

    SQLite needs nothing: its rowid allocator always continues after the largest id.
    """
    if conn.dialect.name != "postgresql":
        return
    for table in tables or metadata.sorted_tables:
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


# A write of at least this many rows into one table may refresh PostgreSQL's statistics
# of it (refresh_stale_statistics): below, autovacuum's own thresholds are the better judge.
ANALYZE_AFTER_ROWS = 10_000
# ... and does when the table's rows changed since its last ANALYZE pass this: autovacuum's
# own default rule (autovacuum_analyze_threshold + autovacuum_analyze_scale_factor x rows).
# A 10,000-contact API batch into a million contacts is 1%: analysing them again took 0.84 s
# of its 1.7 s (C21.1.8); ten such batches in a row make one ANALYZE.
ANALYZE_BASE_ROWS = 50
ANALYZE_SCALE = 0.1


def stale(rows: float, modified: int, written: int, analysed: bool) -> bool:
    """Whether a table of about `rows` rows, `modified` of them changed since its last
    ANALYZE as the server counts (its counts may lag the last commit by a second or so),
    `written` just now, needs analysing: never analysed, or more changed than autovacuum's
    rule allows. `written` is added to `modified` so that a lagging count never misses the
    write just made; at worst one ANALYZE comes a little early."""
    if not analysed or rows < 0:  # PostgreSQL 14+: reltuples -1 until the first ANALYZE
        return True
    return modified + written > ANALYZE_BASE_ROWS + ANALYZE_SCALE * rows


def refresh_stale_statistics(engine: Engine, written: Mapping[str, int]) -> list[str]:
    """After a write of `written[table]` rows into each table on PostgreSQL: ANALYZE those
    of them written at least ANALYZE_AFTER_ROWS rows whose statistics are stale (`stale`);
    return them. A write small against its table leaves the statistics as they are, still
    close to the truth, and spares the writer a pass over every row. Counted per table: a
    batch of 10,000 contacts that adds no company leaves the companies' statistics alone
    (it analysed all 25,000 of them every time, 33 ms of each API batch, C21.1.13)."""
    large = {table: rows for table, rows in written.items() if rows >= ANALYZE_AFTER_ROWS}
    if engine.dialect.name != "postgresql" or not large:
        return []
    with engine.connect() as conn:
        facts = conn.exec_driver_sql(
            "SELECT c.relname, c.reltuples, s.n_mod_since_analyze, "
            "s.last_analyze IS NOT NULL OR s.last_autoanalyze IS NOT NULL "
            "FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid "
            "WHERE c.oid = ANY(%(oids)s::regclass[])", {"oids": list(large)}).all()
    due = [str(name) for name, rows, modified, analysed in facts
           if stale(float(rows), int(modified or 0), large[str(name)], bool(analysed))]
    if due:
        refresh_statistics(engine, due)
    return due


def refresh_statistics(engine: Engine, tables: Sequence[str] | None = None, *,
                       vacuum: bool = False, full: bool = False) -> None:
    """After a bulk load into PostgreSQL: ANALYZE the tables (all when None), and with
    `vacuum` VACUUM them too, outside any transaction. The planner plans from these
    statistics; a table never analysed is planned from guesses (at a million contacts the
    AI Insights shared-email check became a 400 s per-row search, P7), and autovacuum
    may be off or run minutes later. VACUUM also sets the visibility map, without which an
    index-only scan still reads the table for every row, and frees the row versions the
    bulk load's UPDATEs left; `full` rewrites the tables compactly instead (VACUUM FULL,
    which locks them meanwhile: for a build nobody uses yet). SQLite: nothing (segtui keeps
    no SQLite statistics: docs/benchmarks.md)."""
    if engine.dialect.name != "postgresql":
        return
    command = ("VACUUM (FULL, ANALYZE)" if full else "VACUUM (ANALYZE)") if vacuum \
        else "ANALYZE"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if tables is None:
            conn.exec_driver_sql(command)
        else:
            for table in tables:
                conn.exec_driver_sql(f"{command} {table}")
