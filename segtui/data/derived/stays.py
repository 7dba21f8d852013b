"""`contact_stays`: how many current stays (memberships with `removed_at` NULL) each
contact has, one row per contact in at least one segment, kept by database triggers on
`memberships` (P2, the dashboard's metric cards within 300 ms at a million contacts).

The dashboard's cards (data/queries/dashboard.py) count the contacts in segments, the
memberships and the unsubscribed members. Counted from `memberships`, that is a walk of
every current stay grouped by contact: 1.78 million index entries at a million contacts
and 1,000 segments, 250-400 ms on PostgreSQL and 480 ms on SQLite on a loaded 2-core
machine. From this table it is one pass over 833,000 narrow rows (29 MB): the contacts
in segments are its rows, the memberships the sum of `stays`.

Like the rollups (data/derived/rollups.py) and the contacts' figures (data/derived/figures.py)
this is not a stored metric in F2.2.4's sense: each row is one contact's own count of
current stays, written by the database in the statement that writes the memberships, on
both engines, whoever writes (the app, the refresh, a merge, a cascade from a deleted
contact or segment, a script in psql). Nothing is summed across contacts ahead of time:
there is no row every writer updates, so two writers wait for each other only where they
change the same contact's stays (as they would for its `contacts` row). tests/data/test_stays.py
compares the table with a count from `memberships` after every kind of write.

- PostgreSQL: one trigger call per statement, from the statement's transition tables
  (a refresh that adds 100,000 members writes each touched contact's count once, not
  100,000 trigger calls). The change of each contact is added in contact order (two
  statements touching the same contacts lock their rows in one order), and a contact
  whose count falls to 0 loses its row. The cost: about 15 us a new stay at 1M contacts
  on a loaded machine (an INSERT of 333,166 stays: 5.1-5.8 s of 15.5-19.6 s). Two
  transactions that each change the same contacts' stays in several statements could
  still lock them in opposite orders: PostgreSQL then cancels one (a deadlock); refreshes
  take the refresh lock, so two of them never do.
- SQLite: per row, only when the row's currency or contact changes (a WHEN, checked
  before any call). SQLite has one writer at a time.

Bulk writers that turn the triggers off (the demo builder) recount the table with
`rebuild`; on SQLite, a refresh adding a segment's members counts them once after its
INSERT (`counted_after`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

from segtui.data.db.sql import run_ddl, sqlite_insert_trigger_paused, statement_trigger_drops


def _apply(changes: str, *, falls: bool = True) -> str:
    """PL/pgSQL adding `changes` (rows of contact_id, change) to the counts, then removing
    the contacts left with none (when a count can fall: not for an INSERT's)."""
    added = f"""
      INSERT INTO contact_stays AS s (contact_id, stays)
      SELECT contact_id, sum(change)::integer FROM ({changes}) c
      GROUP BY contact_id HAVING sum(change) <> 0 ORDER BY contact_id
      ON CONFLICT (contact_id) DO UPDATE SET stays = s.stays + EXCLUDED.stays;"""
    return added + (f"""
      DELETE FROM contact_stays s WHERE s.stays = 0
        AND s.contact_id IN (SELECT contact_id FROM ({changes}) c WHERE change < 0);"""
                    if falls else "")


_ADDED = "SELECT contact_id, 1 AS change FROM added WHERE removed_at IS NULL"
_REMOVED = "SELECT contact_id, -1 AS change FROM removed WHERE removed_at IS NULL"

POSTGRESQL_TRIGGERS = (
    f"""CREATE OR REPLACE FUNCTION contact_stays_insert() RETURNS trigger AS $$
    BEGIN {_apply(_ADDED, falls=False)}
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER trg_contact_stays_insert AFTER INSERT ON memberships
       REFERENCING NEW TABLE AS added FOR EACH STATEMENT
       EXECUTE FUNCTION contact_stays_insert()""",
    # Every UPDATE statement (a trigger with transition tables takes no column list): an
    # ended stay, a merge moving stays to another contact; the sum is 0 for rows whose
    # currency and contact did not change.
    f"""CREATE OR REPLACE FUNCTION contact_stays_update() RETURNS trigger AS $$
    BEGIN {_apply(f"{_ADDED} UNION ALL {_REMOVED}")}
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER trg_contact_stays_update AFTER UPDATE ON memberships
       REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT
       EXECUTE FUNCTION contact_stays_update()""",
    f"""CREATE OR REPLACE FUNCTION contact_stays_delete() RETURNS trigger AS $$
    BEGIN {_apply(_REMOVED)}
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER trg_contact_stays_delete AFTER DELETE ON memberships
       REFERENCING OLD TABLE AS removed FOR EACH STATEMENT
       EXECUTE FUNCTION contact_stays_delete()""",
)
POSTGRESQL_DROP = statement_trigger_drops("contact_stays", "memberships")


def _sqlite_add(contact: str) -> str:
    return f"""INSERT INTO contact_stays (contact_id, stays) VALUES ({contact}, 1)
          ON CONFLICT (contact_id) DO UPDATE SET stays = stays + 1;"""


def _sqlite_take(contact: str) -> str:
    return f"""UPDATE contact_stays SET stays = stays - 1 WHERE contact_id = {contact};
          DELETE FROM contact_stays WHERE contact_id = {contact} AND stays = 0;"""


_SQLITE_INSERT = "trg_contact_stays_insert"
SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER {_SQLITE_INSERT} AFTER INSERT ON memberships
        WHEN NEW.removed_at IS NULL
        BEGIN {_sqlite_add("NEW.contact_id")} END""",
    f"""CREATE TRIGGER trg_contact_stays_delete AFTER DELETE ON memberships
        WHEN OLD.removed_at IS NULL
        BEGIN {_sqlite_take("OLD.contact_id")} END""",
    # The old stay's count goes down and the new one's up, each only if it is current:
    # an ended stay only takes, a stay moved to another contact (a merge) takes and adds.
    f"""CREATE TRIGGER trg_contact_stays_end AFTER UPDATE OF contact_id, removed_at
        ON memberships
        WHEN OLD.removed_at IS NULL AND (NEW.removed_at IS NOT NULL
                                         OR NEW.contact_id <> OLD.contact_id)
        BEGIN {_sqlite_take("OLD.contact_id")} END""",
    f"""CREATE TRIGGER trg_contact_stays_begin AFTER UPDATE OF contact_id, removed_at
        ON memberships
        WHEN NEW.removed_at IS NULL AND (OLD.removed_at IS NOT NULL
                                         OR NEW.contact_id <> OLD.contact_id)
        BEGIN {_sqlite_add("NEW.contact_id")} END""",
)
SQLITE_DROP = tuple(f"DROP TRIGGER IF EXISTS trg_contact_stays_{kind}"
                    for kind in ("insert", "delete", "end", "begin"))

# Every contact's count from the memberships, in one pass (when the table is made, and
# after a bulk load with the triggers off).
REBUILD = ("DELETE FROM contact_stays",
           "INSERT INTO contact_stays (contact_id, stays) "
           "SELECT contact_id, count(*) FROM memberships WHERE removed_at IS NULL "
           "GROUP BY contact_id ORDER BY contact_id")


def create_triggers(conn: Connection) -> None:
    run_ddl(conn, SQLITE_TRIGGERS, POSTGRESQL_TRIGGERS)


def drop_triggers(conn: Connection) -> None:
    run_ddl(conn, SQLITE_DROP, POSTGRESQL_DROP)


def rebuild(conn: Connection) -> None:
    """Recount every contact's current stays from the memberships, in one pass."""
    for statement in REBUILD:
        conn.exec_driver_sql(statement)


@contextmanager
def counted_after(conn: Connection) -> Iterator[None]:
    """The stays the block inserts are counted in one pass at its end instead of one by one
    (SQLite's trigger per row: a refresh's INSERT of a segment's new members, 3-4 us a row
    at 1M contacts, where the pass is about 1 us). The block only inserts memberships: a stay
    it ended or moved would be counted by the other triggers, which stay. The new rows are
    those with a larger id than any before it (SQLite gives a new row the largest id plus
    one). In the caller's transaction, like `figures.copied_after`; PostgreSQL: nothing
    changes (its trigger already takes a statement's rows at once)."""
    if conn.dialect.name != "sqlite":
        yield
        return
    before = int(conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM memberships")
                 .scalar_one())

    def count() -> None:
        # Row by row from the rowid range, each a contact's upsert: grouped by contact,
        # SQLite walked all of ix_memberships_contact instead (its order), 150 ms a call.
        conn.exec_driver_sql(
            "INSERT INTO contact_stays (contact_id, stays) "
            "SELECT contact_id, 1 FROM memberships WHERE id > ? AND removed_at IS NULL "
            "ON CONFLICT (contact_id) DO UPDATE SET stays = stays + 1", (before,))

    with sqlite_insert_trigger_paused(conn, _SQLITE_INSERT, SQLITE_TRIGGERS[0], count):
        yield

