"""A contact's data completeness: how many of the Quality Score's five fields it has filled
(docs/metrics.md "Quality Score"), kept in `contacts.filled_fields` by triggers (R7.5.5).

The fields are a plausible email, a phone, a title, a company and a city. Evaluated per
member every time a segment opens, these tests were a third of the detail screen's card
statement at 100,000 members (reading four text columns and testing them; measured with a
scratch script on the reference dataset); kept with the row they are one integer.

Like the event rollups (data/derived/rollups.py) this is a property of one contact row, not a
stored metric: the database recomputes it in the statement that writes the row, on both
engines, whoever writes (the app, an import, a script in psql), and
tests/data/test_completeness.py compares it with the expression after inserts and updates.
The Quality Score itself is still an SQL aggregate over the members, read when shown.

The price is paid on writes: a row trigger on `contacts`. SQLite runs an AFTER trigger
(it cannot assign NEW) of a few microseconds per inserted contact; PostgreSQL assigns NEW
in a BEFORE trigger.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import (
    ColumnElement,
    Connection,
    TableClause,
    and_,
    case,
    column,
    func,
    literal,
    not_,
    table,
    update,
)

from segtui.data.db.sql import Text, run_ddl, sqlite_insert_trigger_paused
from segtui.data.db.tables import Contact

# The fields the completeness counts (docs/metrics.md).
COMPLETENESS_CHECKS = 5
_FIELDS = ("email", "phone", "title", "company_id", "city")


def valid_email(email: Text) -> ColumnElement[bool]:
    """A plausible address: something@something.something, one @, no spaces."""
    return and_(email.like("%_@_%._%"), not_(email.like("%@%@%")), not_(email.like("% %")))


def _filled(value: Text) -> ColumnElement[bool]:
    return and_(value.is_not(None), func.trim(value) != "")


def filled_fields(row: TableClause) -> ColumnElement[int]:
    """How many of the five fields `row` (contacts, or a trigger's NEW) has filled."""
    c = row.c
    checks = [valid_email(c.email), _filled(c.phone), _filled(c.title),
              c.company_id.is_not(None), _filled(c.city)]
    assert len(checks) == COMPLETENESS_CHECKS
    return sum((case((check, 1), else_=0) for check in checks), literal(0))


def _sql_for_new_row() -> str:
    """The expression over a trigger's NEW row, as SQL text both engines read alike (the
    generic compiler: no driver-specific escaping of the LIKE patterns' percent signs)."""
    new = table("new", *(column(name) for name in _FIELDS))
    return str(filled_fields(new).compile(compile_kwargs={"literal_binds": True}))


_COLUMNS = ", ".join(_FIELDS)

_SQLITE_INSERT_TRIGGER = "trg_contacts_filled_insert"
SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER {_SQLITE_INSERT_TRIGGER} AFTER INSERT ON contacts
        BEGIN UPDATE contacts SET filled_fields = {_sql_for_new_row()} WHERE id = NEW.id;
        END""",
    # Only when the count changes: most updates (a new title for a contact who had one)
    # leave it, and the second UPDATE of the row cost 30 ms of 135 for an API batch of
    # 10,000 contacts' titles (migration 0029, C21.1.13).
    f"""CREATE TRIGGER trg_contacts_filled_update AFTER UPDATE OF {_COLUMNS} ON contacts
        WHEN NEW.filled_fields IS NOT {_sql_for_new_row()}
        BEGIN UPDATE contacts SET filled_fields = {_sql_for_new_row()} WHERE id = NEW.id;
        END""",
)
SQLITE_UPDATE_TRIGGER = SQLITE_TRIGGERS[1]
SQLITE_DROP = tuple(f"DROP TRIGGER IF EXISTS {name}" for name in (
    _SQLITE_INSERT_TRIGGER, "trg_contacts_filled_update"))

POSTGRESQL_TRIGGERS = (
    f"""CREATE OR REPLACE FUNCTION contacts_filled() RETURNS trigger AS $$
    BEGIN
      NEW.filled_fields := {_sql_for_new_row()};
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER trg_contacts_filled BEFORE INSERT OR UPDATE OF {_COLUMNS}
       ON contacts FOR EACH ROW EXECUTE FUNCTION contacts_filled()""",
)
POSTGRESQL_DROP = ("DROP TRIGGER IF EXISTS trg_contacts_filled ON contacts",
                   "DROP FUNCTION IF EXISTS contacts_filled()")


def create_triggers(conn: Connection) -> None:
    run_ddl(conn, SQLITE_TRIGGERS, POSTGRESQL_TRIGGERS)


def drop_triggers(conn: Connection) -> None:
    run_ddl(conn, SQLITE_DROP, POSTGRESQL_DROP)


def rebuild(conn: Connection, *, from_id: int = 0) -> None:
    """Recompute `filled_fields` of every contact with `id >= from_id` in one statement
    (when the column is added, and after a bulk load with the triggers off)."""
    contacts = Contact.__table__
    conn.execute(update(contacts).where(contacts.c.id >= from_id)
                 .values(filled_fields=filled_fields(contacts)))


@contextmanager
def filled_in_one_pass(conn: Connection, from_id: int) -> Iterator[None]:
    """SQLite: contacts inserted inside the block (their ids are >= `from_id`) get
    `filled_fields` in one pass at its end instead of from the insert trigger, which costs
    SQLite 2 us a row even when nothing else does (docs/benchmarks.md, "Ninth run"). The
    update trigger stays, so existing contacts the block updates stay right. Both the
    trigger's drop and the pass are in the caller's transaction: if the block fails, the
    rollback restores the trigger.

    PostgreSQL: nothing changes. Its trigger is a cheap BEFORE trigger, and dropping it
    would lock the contacts table against every reader until the commit."""
    with sqlite_insert_trigger_paused(conn, _SQLITE_INSERT_TRIGGER, SQLITE_TRIGGERS[0],
                                      lambda: rebuild(conn, from_id=from_id)):
        yield
