"""`contact_figures`: a narrow copy of the contact columns a segment's member passes sum,
kept equal to `contacts` by database triggers (P6, the detail screen's cards).

The cards (data/queries/segment_metrics.py) and the Performance tab's member totals
(data/queries/segment_performance.py) read six values of every member: the Quality Score, the filled
fields, the purchases, the revenue, the newest action and the newest engagement. Read
from `contacts`, each member costs a seek into a 280 MB table whose rows carry every
field: PostgreSQL's default 128 MB of shared buffers can't hold it, so a pass over the
101,291 members of the reference dataset's largest segment read 38,000 of its pages
from the operating system (190-220 ms of server CPU). From this table, 70 MB with the
six values and the contact id, the same pass is 100-130 ms; on SQLite 111 -> 60 ms.

Like the rollups (data/derived/rollups.py) and the filled fields (data/derived/completeness.py)
these are
not stored metrics in F2.2.4's sense: each row is a copy of one contact's own columns,
written by the database in the statement that writes the contact, on both engines, and
whoever writes (the app, an import, the rollup triggers of an event, a script in psql).
Nothing is summed or cached per segment; the cards still add their members up when shown.
tests/data/test_figures.py compares the table with `contacts` after every kind of write.

- A new contact gets its row: on PostgreSQL one INSERT per statement from the statement's
  new rows (an import of 2,000 contacts writes 2,000 rows in one statement, not 2,000
  trigger calls); on SQLite per row, from the row as stored, so the filled-fields
  trigger (which updates the row after it is inserted) can run before or after.
- A change to one of the six columns (an event's rollup, an edit, an import's update)
  is copied, only when a value differs (a WHEN on the row, checked before any call).
- A deleted contact's row goes with it (a trigger, not a foreign key: SQLite checks
  foreign keys only where the connection turned them on, and a trigger runs for every
  writer; PostgreSQL would also check a key per inserted row).

Bulk writers that turn the triggers off (the demo builder) refill the table with `copy`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

from segtui.data.db.sql import run_ddl, sqlite_insert_trigger_paused, statement_trigger_drops

# The copied columns, in the table's order after contact_id.
COLUMNS = ("quality_score", "filled_fields", "purchases", "spent_cents", "last_activity_at",
           "last_engaged_at")
_LIST = ", ".join(COLUMNS)
_CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in ("id", *COLUMNS))
_SQLITE_CHANGED = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in ("id", *COLUMNS))

_SQLITE_INSERT = "trg_contact_figures_insert"
SQLITE_TRIGGERS = (
    # From the stored row, not NEW: the filled-fields trigger updates the row after its
    # insert, and SQLite does not say in which order two AFTER INSERT triggers run.
    f"""CREATE TRIGGER {_SQLITE_INSERT} AFTER INSERT ON contacts
        BEGIN
          INSERT INTO contact_figures (contact_id, {_LIST})
          SELECT id, {_LIST} FROM contacts WHERE id = NEW.id;
        END""",
    # The stored row again: an UPDATE that another trigger follows with its own (the
    # filled fields after an email changes) leaves the later values, in either order.
    f"""CREATE TRIGGER trg_contact_figures_update AFTER UPDATE OF id, {_LIST} ON contacts
        WHEN {_SQLITE_CHANGED}
        BEGIN
          UPDATE contact_figures SET contact_id = NEW.id, ({_LIST}) =
            (SELECT {_LIST} FROM contacts WHERE id = NEW.id)
          WHERE contact_id = OLD.id;
        END""",
    """CREATE TRIGGER trg_contact_figures_delete AFTER DELETE ON contacts
        BEGIN DELETE FROM contact_figures WHERE contact_id = OLD.id; END""",
)
SQLITE_DROP = tuple(f"DROP TRIGGER IF EXISTS {name}" for name in (
    _SQLITE_INSERT, "trg_contact_figures_update", "trg_contact_figures_delete"))

POSTGRESQL_TRIGGERS = (
    f"""CREATE OR REPLACE FUNCTION contact_figures_insert() RETURNS trigger AS $$
    BEGIN
      INSERT INTO contact_figures (contact_id, {_LIST}) SELECT id, {_LIST} FROM added;
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER trg_contact_figures_insert AFTER INSERT ON contacts
       REFERENCING NEW TABLE AS added FOR EACH STATEMENT
       EXECUTE FUNCTION contact_figures_insert()""",
    f"""CREATE OR REPLACE FUNCTION contact_figures_update() RETURNS trigger AS $$
    BEGIN
      UPDATE contact_figures SET contact_id = NEW.id,
        {", ".join(f"{c} = NEW.{c}" for c in COLUMNS)}
      WHERE contact_id = OLD.id;
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    # No column list: PostgreSQL fires a column's trigger only for the columns an UPDATE
    # names, and the filled fields change in a BEFORE trigger when an email, a phone, a
    # title, a city or (ON DELETE SET NULL) a company does. WHEN compares the row after it.
    f"""CREATE TRIGGER trg_contact_figures_update AFTER UPDATE ON contacts
       FOR EACH ROW WHEN ({_CHANGED}) EXECUTE FUNCTION contact_figures_update()""",
    """CREATE OR REPLACE FUNCTION contact_figures_delete() RETURNS trigger AS $$
    BEGIN
      DELETE FROM contact_figures f USING removed r WHERE f.contact_id = r.id;
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER trg_contact_figures_delete AFTER DELETE ON contacts
       REFERENCING OLD TABLE AS removed FOR EACH STATEMENT
       EXECUTE FUNCTION contact_figures_delete()""",
)
POSTGRESQL_DROP = statement_trigger_drops("contact_figures", "contacts")


def create_triggers(conn: Connection) -> None:
    run_ddl(conn, SQLITE_TRIGGERS, POSTGRESQL_TRIGGERS)


def drop_triggers(conn: Connection) -> None:
    run_ddl(conn, SQLITE_DROP, POSTGRESQL_DROP)


def copy(conn: Connection, *, from_id: int = 0) -> None:
    """Make the rows of the contacts with `id >= from_id` their contacts' copies again, in
    one pass (when the table is made, and after a bulk load with the triggers off)."""
    conn.exec_driver_sql(f"DELETE FROM contact_figures WHERE contact_id >= {int(from_id)}")
    conn.exec_driver_sql(f"INSERT INTO contact_figures (contact_id, {_LIST}) "
                         f"SELECT id, {_LIST} FROM contacts WHERE id >= {int(from_id)} "
                         "ORDER BY id")


@contextmanager
def copied_after(conn: Connection, from_id: int) -> Iterator[None]:
    """The contacts the block inserts (ids >= `from_id`) get their rows in one pass at its
    end instead of one by one (SQLite's trigger per row: the demo builder, a large
    import); the update and delete triggers stay, so the older contacts the block changes
    stay right. The drop and the pass are in the caller's transaction: if the block fails,
    the rollback restores the trigger. PostgreSQL: nothing changes (its insert trigger
    already takes a statement's rows at once, and dropping a trigger there would lock
    `contacts` against every reader until the commit)."""
    with sqlite_insert_trigger_paused(conn, _SQLITE_INSERT, SQLITE_TRIGGERS[0],
                                      lambda: copy(conn, from_id=from_id)):
        yield
