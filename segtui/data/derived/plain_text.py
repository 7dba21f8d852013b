"""Whether a contact's text is all ASCII, kept in `contacts.non_ascii_text` by triggers,
and a company's name, in `companies.non_ascii_name` (P8).

A rule's text tests ignore case the way Python's casefold() does, over all of Unicode
(docs/rules.md, "How a rule becomes a fast query"). SQLite folds only ASCII itself (its
LIKE, its NOCASE, its lower()), and calling into Python for every contact made `name
contains "smith"` 3.8x the plain LIKE someone would write by hand (docs/benchmarks.md).
For text that is all ASCII SQLite's own LIKE already answers exactly as casefold() does,
so a rule asks Python only about the contacts this flag marks: a column read where
telling ASCII from the rest in SQL costs two length() calls per contact (still 1.8x).

The flag is a property of the row, like `filled_fields` (data/derived/completeness.py): the
database sets it in the statement that writes the row, on both engines, whoever writes
(the app, an import, a script in the sqlite3 shell or psql), with the engine's own
functions only (not_ascii below), so it can't go stale the way a value computed by
segtui's writers could. It is true when any of the contact's text columns that rules
scan holds a character beyond ASCII (COLUMNS), so one flag serves them all, and it sits
in the indexes a text rule scans (ix_contacts_name, ix_contacts_email, ix_companies_name)
so that scan reads no table row. A flag a writer sets by hand is set right again by the
update trigger (and one set where it need not be would only send a row to Python).

The price is paid on writes: SQLite runs an AFTER trigger that writes the row again
only when the flag is wrong (a non-ASCII contact); PostgreSQL assigns NEW in a BEFORE
trigger. PostgreSQL's own rules fold with lower() and don't read the flag; it is kept
there too, so the column means the same on both engines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    TableClause,
    case,
    column,
    false,
    or_,
    table,
    true,
    update,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from segtui.data.db.sql import run_ddl, sqlite_insert_trigger_paused
from segtui.data.db.tables import Company, Contact


class not_ascii(FunctionElement[bool]):
    """The text holds a character beyond ASCII (NULL for NULL), with the engine's own
    functions only, so a trigger or a partial index may use it and the database stays
    writable by any client (the sqlite3 shell, psql). SQLite: fewer characters than bytes
    (one byte per character is ASCII; `length()` also stops at a NUL, which then counts
    as beyond ASCII too: the safe side). PostgreSQL: fewer characters than octets."""

    type = Boolean()
    inherit_cache = True


@compiles(not_ascii)
def _not_ascii_default(element: not_ascii, compiler: SQLCompiler, **kw: Any) -> str:
    text = compiler.process(element.clauses, **kw)
    return f"(octet_length({text}) <> char_length({text}))"


@compiles(not_ascii, "sqlite")
def _not_ascii_sqlite(element: not_ascii, compiler: SQLCompiler, **kw: Any) -> str:
    text = compiler.process(element.clauses, **kw)
    return f"(length({text}) <> length(CAST({text} AS BLOB)))"


# The contact's text columns a rule scans to test (data/rules/compile_text.py). Not city
# and state: a rule asks their few hundred distinct values instead of every contact, and
# "Île-de-France" alone would flag 2.9% of the demo contacts, sending each of them to
# Python for a test of their name.
COLUMNS = ("name", "email", "title", "country", "region")


def non_ascii_text(row: TableClause) -> ColumnElement[bool]:
    """Whether any of `row`'s text columns (contacts, or a trigger's NEW) is beyond ASCII:
    never NULL (a NULL column is ASCII)."""
    return _any_beyond_ascii(row, COLUMNS)


def non_ascii_name(row: TableClause) -> ColumnElement[bool]:
    """Whether a company's name (companies, or a trigger's NEW) is beyond ASCII: the
    same flag for `company contains`, which scans the 25,000 company names."""
    return _any_beyond_ascii(row, ("name",))


def _any_beyond_ascii(row: TableClause, names: tuple[str, ...]) -> ColumnElement[bool]:
    return case((or_(*(not_ascii(row.c[name]) for name in names)), true()), else_=false())


def _sql_for_new_row(flag: Callable[[TableClause], ColumnElement[bool]],
                     names: tuple[str, ...],
                     dialect: Dialect) -> str:
    new = table("new", *(column(name) for name in names))
    return str(flag(new).compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def _sqlite_triggers(table_name: str, flag_column: str, names: tuple[str, ...],
                     flag: Callable[[TableClause], ColumnElement[bool]]) -> tuple[str, str]:
    """The AFTER INSERT and AFTER UPDATE triggers that set `flag_column`. WHEN: an ASCII
    row (nearly all) is not written a second time."""
    from sqlalchemy.dialects.sqlite.base import SQLiteDialect

    value = _sql_for_new_row(flag, names, SQLiteDialect())
    watched = ", ".join((*names, flag_column))
    body = (f"WHEN NEW.{flag_column} IS NOT {value} BEGIN UPDATE {table_name} "
            f"SET {flag_column} = {value} WHERE id = NEW.id; END")
    return (f"CREATE TRIGGER trg_{table_name}_non_ascii_insert AFTER INSERT ON {table_name} "
            f"{body}",
            f"CREATE TRIGGER trg_{table_name}_non_ascii_update AFTER UPDATE OF {watched} "
            f"ON {table_name} {body}")


def _postgresql_triggers(table_name: str, flag_column: str, names: tuple[str, ...],
                         flag: Callable[[TableClause], ColumnElement[bool]]
                         ) -> tuple[str, str]:
    from sqlalchemy.dialects.postgresql.base import PGDialect

    value = _sql_for_new_row(flag, names, PGDialect())  # type: ignore[no-untyped-call]
    watched = ", ".join((*names, flag_column))
    return (f"""CREATE OR REPLACE FUNCTION {table_name}_non_ascii() RETURNS trigger AS $$
    BEGIN
      NEW.{flag_column} := {value};
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",
            f"""CREATE TRIGGER trg_{table_name}_non_ascii BEFORE INSERT OR UPDATE OF {watched}
       ON {table_name} FOR EACH ROW EXECUTE FUNCTION {table_name}_non_ascii()""")


_SQLITE_INSERT_TRIGGER = "trg_contacts_non_ascii_insert"
SQLITE_DROP = tuple(f"DROP TRIGGER IF EXISTS trg_{t}_non_ascii_{when}"
                    for t in ("contacts", "companies") for when in ("insert", "update"))
POSTGRESQL_DROP = tuple(statement for t in ("contacts", "companies") for statement in (
    f"DROP TRIGGER IF EXISTS trg_{t}_non_ascii ON {t}",
    f"DROP FUNCTION IF EXISTS {t}_non_ascii()"))


# Written when first needed, not on import: a rule's compiler imports this module, and a
# read command on SQLite should not load PostgreSQL's dialect (P12).
@cache
def _contacts_sqlite() -> tuple[str, str]:
    return _sqlite_triggers("contacts", "non_ascii_text", COLUMNS, non_ascii_text)


@cache
def sqlite_triggers() -> tuple[str, ...]:
    return (*_contacts_sqlite(),
            *_sqlite_triggers("companies", "non_ascii_name", ("name",), non_ascii_name))


@cache
def postgresql_triggers() -> tuple[str, ...]:
    return (*_postgresql_triggers("contacts", "non_ascii_text", COLUMNS, non_ascii_text),
            *_postgresql_triggers("companies", "non_ascii_name", ("name",), non_ascii_name))


def create_triggers(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        run_ddl(conn, sqlite_triggers(), ())
    else:
        run_ddl(conn, (), postgresql_triggers())


def drop_triggers(conn: Connection) -> None:
    run_ddl(conn, SQLITE_DROP, POSTGRESQL_DROP)


def rebuild(conn: Connection, *, from_id: int = 0) -> None:
    """Set the flag of every contact with `id >= from_id` whose flag is wrong, in one
    statement (when the column is added, after a bulk load with the trigger off). Only
    the wrong rows are written: on PostgreSQL an UPDATE writes a new copy of each row."""
    contacts = Contact.__table__
    flag = non_ascii_text(contacts)
    conn.execute(update(contacts)
                 .where(contacts.c.id >= from_id,
                        contacts.c.non_ascii_text.is_distinct_from(flag))
                 .values(non_ascii_text=flag))


def rebuild_companies(conn: Connection) -> None:
    """Set every company's flag that is wrong (when the column is added)."""
    companies = Company.__table__
    flag = non_ascii_name(companies)
    conn.execute(update(companies).where(companies.c.non_ascii_name.is_distinct_from(flag))
                 .values(non_ascii_name=flag))


@contextmanager
def flagged_in_one_pass(conn: Connection, from_id: int) -> Iterator[None]:
    """SQLite: contacts inserted inside the block (ids >= `from_id`) are flagged in one
    pass at its end instead of by the insert trigger, whose call costs SQLite per row
    even when its WHEN is false (as completeness.filled_in_one_pass). PostgreSQL: nothing
    changes (its BEFORE trigger is cheap; dropping it would lock the table)."""
    with sqlite_insert_trigger_paused(conn, _SQLITE_INSERT_TRIGGER, _contacts_sqlite()[0],
                                      lambda: rebuild(conn, from_id=from_id)):
        yield
