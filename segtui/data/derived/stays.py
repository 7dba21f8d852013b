"""Current stays (memberships with `removed_at` NULL) counted two ways, kept by database
triggers on `memberships` in the statement that writes them:

- `contact_stays`: each contact's number of current stays, one row per contact in at least
  one segment (P2, the dashboard's metric cards within 300 ms at a million contacts);
- `segment_sizes`: each segment's current members, one row per segment with at least one
  (C21.1.3 and P5: a segment's GET, `segments list` and the dashboard's list read one row
  where counting walked the segment's stays: 8 ms of an 11 ms API request for a
  segment of 101,291 members, and every row of the list sorted by members).

The dashboard's cards (data/queries/dashboard.py) count the contacts in segments, the
memberships and the unsubscribed members. Counted from `memberships`, that is a walk of
every current stay grouped by contact: 1.78 million index entries at a million contacts
and 1,000 segments, 250-400 ms on PostgreSQL and 480 ms on SQLite on a loaded 2-core
machine. From `contact_stays` it is one pass over 833,000 narrow rows (29 MB): the
contacts in segments are its rows, the memberships the sum of `stays`.

Like the rollups (data/derived/rollups.py) and the contacts' figures (data/derived/figures.py)
these are not stored metrics in F2.2.4's sense: each row is one contact's or one segment's
own count of current stays, written by the database in the statement that writes the
memberships, on both engines, whoever writes (the app, the refresh, a merge, a cascade
from a deleted contact or segment, a script in psql), so it is exact in every transaction
that reads it. tests/data/test_stays.py compares both tables with a count from
`memberships` after every kind of write.

Who waits for whom: two writers wait for each other where they change the same contact's
stays (as they would for its `contacts` row); never for a segment's count on PostgreSQL,
whose rows a statement only folds when no other transaction holds them (`SegmentSizes`).

- PostgreSQL: one trigger call per statement, from the statement's transition tables
  (a refresh that adds 100,000 members writes each touched contact's count once, not
  100,000 trigger calls, and its segment's once). The change of each key is added in
  key order (two statements touching the same contacts lock their rows in one order),
  and a key whose count falls to 0 loses its row. The cost: about 15 us a new stay at 1M
  contacts on a loaded machine for the contacts (an INSERT of 333,166 stays: 5.1-5.8 s of
  15.5-19.6 s); a segment's count is one row a statement. Two transactions that each
  change the same contacts' stays in several statements could still lock them in
  opposite orders: PostgreSQL then cancels one (a deadlock); refreshes take the refresh
  lock, so two of them never do.
- SQLite: per row, only when the row's currency or key changes (a WHEN, checked before
  any call). SQLite has one writer at a time.

Bulk writers that turn the triggers off (the demo builder) recount the tables with
`rebuild`; on SQLite, a refresh counts the stays a batch of segments added once, after
their INSERTs (`counted_after`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

from sqlalchemy import Connection

from segtui.data.db.sql import run_ddl, sqlite_insert_trigger_paused, statement_trigger_drops


@dataclass(frozen=True)
class StayCount:
    """A table of current stays counted by one column of `memberships` (`key`: the contact
    or the segment), one row per value with at least one, in the column `count`; its
    triggers are named after `table`."""

    table: str
    key: str
    count: str

    def _apply(self, changes: str, *, falls: bool = True) -> str:
        """PL/pgSQL adding `changes` (rows of the key, change) to the counts, then removing
        the rows left with none (when a count can fall: not for an INSERT's)."""
        t, k, n = self.table, self.key, self.count
        added = f"""
      INSERT INTO {t} AS s ({k}, {n})
      SELECT {k}, sum(change)::integer FROM ({changes}) c
      GROUP BY {k} HAVING sum(change) <> 0 ORDER BY {k}
      ON CONFLICT ({k}) DO UPDATE SET {n} = s.{n} + EXCLUDED.{n};"""
        return added + (f"""
      DELETE FROM {t} s WHERE s.{n} = 0
        AND s.{k} IN (SELECT {k} FROM ({changes}) c WHERE change < 0);"""
                        if falls else "")

    @property
    def postgresql_triggers(self) -> tuple[str, ...]:
        t, k = self.table, self.key
        added = f"SELECT {k}, 1 AS change FROM added WHERE removed_at IS NULL"
        removed = f"SELECT {k}, -1 AS change FROM removed WHERE removed_at IS NULL"
        return (
            f"""CREATE OR REPLACE FUNCTION {t}_insert() RETURNS trigger AS $$
    BEGIN {self._apply(added, falls=False)}
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
            f"""CREATE TRIGGER trg_{t}_insert AFTER INSERT ON memberships
       REFERENCING NEW TABLE AS added FOR EACH STATEMENT
       EXECUTE FUNCTION {t}_insert()""",
            # Every UPDATE statement (a trigger with transition tables takes no column
            # list): an ended stay, a merge moving stays to another contact; the sum is 0
            # for rows whose currency and key did not change.
            f"""CREATE OR REPLACE FUNCTION {t}_update() RETURNS trigger AS $$
    BEGIN {self._apply(f"{added} UNION ALL {removed}")}
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
            f"""CREATE TRIGGER trg_{t}_update AFTER UPDATE ON memberships
       REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT
       EXECUTE FUNCTION {t}_update()""",
            f"""CREATE OR REPLACE FUNCTION {t}_delete() RETURNS trigger AS $$
    BEGIN {self._apply(removed)}
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
            f"""CREATE TRIGGER trg_{t}_delete AFTER DELETE ON memberships
       REFERENCING OLD TABLE AS removed FOR EACH STATEMENT
       EXECUTE FUNCTION {t}_delete()""",
        )

    def _sqlite_add(self, value: str) -> str:
        t, k, n = self.table, self.key, self.count
        return f"""INSERT INTO {t} ({k}, {n}) VALUES ({value}, 1)
          ON CONFLICT ({k}) DO UPDATE SET {n} = {n} + 1;"""

    def _sqlite_take(self, value: str) -> str:
        t, k, n = self.table, self.key, self.count
        return f"""UPDATE {t} SET {n} = {n} - 1 WHERE {k} = {value};
          DELETE FROM {t} WHERE {k} = {value} AND {n} = 0;"""

    @property
    def sqlite_insert(self) -> str:
        """The name of the SQLite trigger a bulk INSERT pauses (`counted_after`)."""
        return f"trg_{self.table}_insert"

    @property
    def sqlite_triggers(self) -> tuple[str, ...]:
        k = self.key
        return (
            f"""CREATE TRIGGER {self.sqlite_insert} AFTER INSERT ON memberships
        WHEN NEW.removed_at IS NULL
        BEGIN {self._sqlite_add(f"NEW.{k}")} END""",
            f"""CREATE TRIGGER trg_{self.table}_delete AFTER DELETE ON memberships
        WHEN OLD.removed_at IS NULL
        BEGIN {self._sqlite_take(f"OLD.{k}")} END""",
            # The old stay's count goes down and the new one's up, each only if it is
            # current: an ended stay only takes, a stay moved to another key (a merge moves
            # a contact's) takes and adds.
            f"""CREATE TRIGGER trg_{self.table}_end AFTER UPDATE OF {k}, removed_at
        ON memberships
        WHEN OLD.removed_at IS NULL AND (NEW.removed_at IS NOT NULL
                                         OR NEW.{k} <> OLD.{k})
        BEGIN {self._sqlite_take(f"OLD.{k}")} END""",
            f"""CREATE TRIGGER trg_{self.table}_begin AFTER UPDATE OF {k}, removed_at
        ON memberships
        WHEN NEW.removed_at IS NULL AND (OLD.removed_at IS NOT NULL
                                         OR NEW.{k} <> OLD.{k})
        BEGIN {self._sqlite_add(f"NEW.{k}")} END""",
        )

    @property
    def sqlite_drops(self) -> tuple[str, ...]:
        return tuple(f"DROP TRIGGER IF EXISTS trg_{self.table}_{kind}"
                     for kind in ("insert", "delete", "end", "begin"))

    def create_triggers(self, conn: Connection) -> None:
        run_ddl(conn, self.sqlite_triggers, self.postgresql_triggers)

    def drop_triggers(self, conn: Connection) -> None:
        run_ddl(conn, self.sqlite_drops, statement_trigger_drops(self.table, "memberships"))

    def rebuild(self, conn: Connection) -> None:
        """Every count from the memberships, in one pass (when the table is made, and after
        a bulk load with the triggers off)."""
        t, k, n = self.table, self.key, self.count
        conn.exec_driver_sql(f"DELETE FROM {t}")
        conn.exec_driver_sql(
            f"INSERT INTO {t} ({k}, {n}) SELECT {k}, count(*) FROM memberships "
            f"WHERE removed_at IS NULL GROUP BY {k} ORDER BY {k}")


class SegmentSizes(StayCount):
    """`segment_sizes`: each segment's current members as the sum of its rows.

    SQLite (one writer at a time) keeps one row a segment, changed in place per stay.
    PostgreSQL never makes two writers wait for a segment's count: each statement that
    changes a segment's stays adds one row with the change, folded together with the
    segment's rows no other transaction holds (`FOR UPDATE SKIP LOCKED`): its own earlier
    rows and the committed ones. A segment has as many rows as transactions changing it at
    that moment, plus one; a read sums them in its snapshot, where a fold is all or
    nothing. (Counted in one row updated in place, two people adding members to one
    segment took turns until the first committed: a long import holding the row made a
    hand-made change wait, and two merges touching two segments in opposite orders
    deadlocked.) Its rows have their own ids, so the key is not unique: what differs from
    a `StayCount` is how a change is added, here and in `_sqlite_add`."""

    def _apply(self, changes: str, *, falls: bool = True) -> str:
        """PL/pgSQL folding a statement's `changes` (rows of segment_id, change) and the
        segments' free rows into one row a segment (none when the sum is 0); `falls`
        makes no difference: a sum of 0 leaves no row."""
        return f"""
      WITH changed AS (
        SELECT segment_id, sum(change)::integer AS change FROM ({changes}) c
        GROUP BY segment_id HAVING sum(change) <> 0),
      gone AS (
        DELETE FROM segment_sizes s WHERE s.id IN (
          SELECT z.id FROM segment_sizes z
          WHERE z.segment_id IN (SELECT segment_id FROM changed)
          FOR UPDATE SKIP LOCKED)
        RETURNING s.segment_id, s.members)
      INSERT INTO segment_sizes (segment_id, members)
      SELECT segment_id, sum(n)::integer FROM (
        SELECT segment_id, members AS n FROM gone
        UNION ALL SELECT segment_id, change FROM changed) x
      GROUP BY segment_id HAVING sum(n) <> 0;"""

    def _sqlite_add(self, value: str) -> str:
        return f"""INSERT INTO segment_sizes (segment_id, members) SELECT {value}, 0
            WHERE NOT EXISTS (SELECT 1 FROM segment_sizes WHERE segment_id = {value});
          UPDATE segment_sizes SET members = members + 1 WHERE segment_id = {value};"""

    @staticmethod
    def add_on_sqlite(conn: Connection, since_id: int) -> None:
        """SQLite: the current stays with an id above `since_id` added to their segments'
        rows (after a bulk INSERT with the insert trigger paused: `counted_after`)."""
        # `+segment_id`: the rowid range is read, not all of ix_memberships_segment.
        for segment_id, count in conn.exec_driver_sql(
                "SELECT segment_id, count(*) FROM memberships "
                "WHERE id > ? AND removed_at IS NULL GROUP BY +segment_id",
                (since_id,)).all():
            if not conn.exec_driver_sql(
                    "UPDATE segment_sizes SET members = members + ? WHERE segment_id = ?",
                    (count, segment_id)).rowcount:
                conn.exec_driver_sql(
                    "INSERT INTO segment_sizes (segment_id, members) VALUES (?, ?)",
                    (segment_id, count))


CONTACT_STAYS = StayCount("contact_stays", "contact_id", "stays")
SEGMENT_SIZES = SegmentSizes("segment_sizes", "segment_id", "members")
EVERY_COUNT: tuple[StayCount, ...] = (CONTACT_STAYS, SEGMENT_SIZES)


# Migration 0020 made contact_stays with these (segment_sizes came with 0026).
def create_triggers(conn: Connection) -> None:
    CONTACT_STAYS.create_triggers(conn)


def drop_triggers(conn: Connection) -> None:
    CONTACT_STAYS.drop_triggers(conn)


def rebuild(conn: Connection) -> None:
    CONTACT_STAYS.rebuild(conn)


# conn.info key, set inside the outermost `counted_after` block of a connection: its inner
# blocks count nothing themselves.
_COUNTING = "segtui_stays_counted_after"


@contextmanager
def counted_after(conn: Connection) -> Iterator[None]:
    """The stays the block inserts are counted in one pass at its end instead of one by one
    (SQLite's triggers per row: a refresh's INSERT of a segment's new members, 3-4 us a row
    at 1M contacts for the contacts' counts, where the pass is about 1 us). A stay the block
    inserts must not be ended, moved or deleted inside it; ending or moving one it did not
    insert is counted by the other triggers, which stay. The new rows are those with a
    larger id than any before it (SQLite gives a new row the largest id plus one), counted
    grouped by contact and by segment.

    Blocks nest: an inner block counts nothing, the outermost counts everything inside it
    (a refresh batch's segments, data/store/refresh_run.py: at 1M contacts 90,000 new stays
    of 28,000 contacts, each contact's count written once for the batch, not once for each
    of its segments, and the trigger dropped and made again once). In the caller's
    transaction, like `figures.copied_after`; PostgreSQL: nothing changes (its triggers
    already take a statement's rows at once)."""
    if conn.dialect.name != "sqlite" or conn.info.get(_COUNTING):
        yield
        return
    before = int(conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM memberships")
                 .scalar_one())

    def count_contacts() -> None:
        # The rowid range (NOT INDEXED: grouped by contact, SQLite walked all of
        # ix_memberships_contact in its order instead, 150 ms a call), grouped and sorted,
        # so contact_stays is written once a contact, in its key order.
        conn.exec_driver_sql(
            "INSERT INTO contact_stays (contact_id, stays) "
            "SELECT contact_id, count(*) FROM memberships NOT INDEXED "
            "WHERE id > ? AND removed_at IS NULL GROUP BY contact_id ORDER BY contact_id "
            "ON CONFLICT (contact_id) DO UPDATE SET stays = stays + excluded.stays",
            (before,))

    conn.info[_COUNTING] = True
    try:
        with sqlite_insert_trigger_paused(conn, CONTACT_STAYS.sqlite_insert,
                                          CONTACT_STAYS.sqlite_triggers[0],
                                          count_contacts), \
                sqlite_insert_trigger_paused(conn, SEGMENT_SIZES.sqlite_insert,
                                             SEGMENT_SIZES.sqlite_triggers[0],
                                             partial(SEGMENT_SIZES.add_on_sqlite, conn,
                                                     before)):
            yield
    finally:
        conn.info.pop(_COUNTING, None)
