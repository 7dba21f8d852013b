"""What a membership names (its contact, its segment, the users who added and removed it)
held on PostgreSQL by triggers that check a whole statement's rows at once, instead of
foreign keys that check them one by one (P9, P10).

Why: a foreign key is checked by a query per written row, and the one on the contact
locks the contact's row (`FOR KEY SHARE`), which writes to the contact's page (and,
after each checkpoint, a full image of it to the WAL). A first refresh of the reference
dataset's 1,000 dynamic segments was 96% its INSERTs of 4.47M memberships: 451-503 s
with the foreign keys, 150-153 s with these triggers at 1M contacts (docs/benchmarks.md,
"Memberships' keys held by statement triggers"). One segment's INSERT of 57,148 stays:
3.25 s, the four keys' checks 1.38 s of it; 2.46 s with the statement's check (0.18 s).

The same promises as the foreign keys, on every writer (the app, a script in psql):

- A membership's contact, segment and users exist. After each INSERT on `memberships`, one
  statement per key looks the new rows' values up (`memberships_keys_insert`); an UPDATE
  that changes a key checks that row (`memberships_keys_update`, rare: a merge moving
  stays to the kept contact, a member removed by hand). A missing one fails the statement
  with PostgreSQL's own foreign-key error (SQLSTATE 23503) and message.
- Deleting a contact or a segment deletes its memberships; deleting a user clears their
  name from the stays (`*_members_delete`), as ON DELETE CASCADE / SET NULL did. Changing a
  referenced id, or emptying a referenced table with TRUNCATE, fails while a membership
  names it.

Who waits for whom (what the row locks of the foreign keys did): every statement writing
`memberships` first takes the advisory lock LOCK_KEY shared (a BEFORE trigger), held to
the commit; a deletion of contacts, segments or users takes it exclusively. So a deletion
waits for the membership writes in flight, and a write starting meanwhile waits for the
deletion, after which its check sees what was deleted. The checks read with a fresh
snapshot, as PostgreSQL's READ COMMITTED (segtui's, and the default) gives each statement:
a transaction at REPEATABLE READ or SERIALIZABLE that writes memberships also locks the
rows it names `FOR KEY SHARE`, as a foreign key would (a row deleted meanwhile is then a
serialisation failure), and one that deletes contacts, segments or users is refused: it
could not see the memberships committed after it began.

segtui's own deletions take the lock exclusively before their first write
(`lock_for_deletes`), so a deletion never holds row locks a membership writer waits for
while waiting for that writer's shared lock itself. Refreshes take it shared with the
refresh lock (data/rules/pending.serialise_refreshes), before any row lock.

The keys are the models' foreign keys of `memberships` (data/db/tables/segments.py,
declared for SQLite's DDL only): one list for the tables, the triggers and the demo
builder's bulk load.

SQLite keeps the foreign keys: one writer at a time, and a check is an index lookup in
the same process.
"""

from __future__ import annotations

from sqlalchemy import Connection

from segtui.data.db import locks
from segtui.data.db.tables import Membership

# The references, in the table's column order: (column, table it names, its foreign key's
# name).
_KEYS = tuple(sorted(
    ((fk.column_keys[0], fk.referred_table.name, str(fk.name))
     for fk in Membership.__table__.foreign_key_constraints),
    key=lambda key: list(Membership.__table__.c.keys()).index(key[0])))
# The foreign keys PostgreSQL holds by these triggers.
TRIGGER_HELD = frozenset(name for _, _, name in _KEYS)
LOCK_KEY = locks.MEMBER_KEYS
_READ_COMMITTED = "current_setting('transaction_isolation') = 'read committed'"


def lock_for_deletes(conn: Connection) -> None:
    """PostgreSQL: before the first write of a transaction that deletes contacts, segments
    or users (or moves stays between contacts), wait for the membership writes in flight
    and hold off new ones until the commit. Nothing on SQLite."""
    locks.take(conn, LOCK_KEY)


def _missing(rows: str, column: str, table: str, constraint: str, *, row: bool) -> str:
    """PL/pgSQL raising PostgreSQL's foreign-key error when a value of `column` in `rows`
    names no row of `table`."""
    # A row's unchanged key is not looked at again (a user's deletion clears the two user
    # keys one at a time), as a foreign key does not.
    found = (f"SELECT NEW.{column} INTO missing WHERE NEW.{column} IS DISTINCT FROM "
             f"OLD.{column} AND NEW.{column} IS NOT NULL AND NOT EXISTS "
             f"(SELECT FROM {table} t WHERE t.id = NEW.{column});" if row else
             f"SELECT k INTO missing FROM (SELECT DISTINCT {column} AS k FROM {rows}) v "
             f"WHERE k IS NOT NULL AND NOT EXISTS (SELECT FROM {table} t WHERE t.id = v.k) "
             "LIMIT 1;")
    return f"""
  {found}
  IF missing IS NOT NULL THEN
    RAISE foreign_key_violation USING
      MESSAGE = 'insert or update on table "memberships" violates foreign key constraint '
                '"{constraint}"',
      DETAIL = format('Key ({column})=(%s) is not present in table "{table}".', missing),
      CONSTRAINT = '{constraint}', TABLE = 'memberships';
  END IF;"""


def _locked(rows: str, *, row: bool) -> str:
    """PL/pgSQL locking the rows the new memberships name, as a foreign key does, in a
    transaction whose snapshot is older than its statement."""
    def values(column: str) -> str:
        return f"NEW.{column}" if row else f"SELECT {column} FROM {rows}"
    users = ("NEW.added_by_id, NEW.removed_by_id" if row else
             f"SELECT added_by_id FROM {rows} UNION SELECT removed_by_id FROM {rows}")
    return f"""
  IF NOT {_READ_COMMITTED} THEN
    PERFORM FROM contacts WHERE id IN ({values('contact_id')}) FOR KEY SHARE;
    PERFORM FROM segments WHERE id IN ({values('segment_id')}) FOR KEY SHARE;
    PERFORM FROM users WHERE id IN ({users}) FOR KEY SHARE;
  END IF;"""


def _checks(rows: str, *, row: bool) -> str:
    return "".join(_missing(rows, column, table, constraint, row=row)
                   for column, table, constraint in _KEYS)


def _deletes(table: str, follow: str) -> str:
    """The function deleting `table`'s rows runs: the memberships follow (`follow`)."""
    return f"""
CREATE FUNCTION {table}_members_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock({LOCK_KEY});
  IF NOT {_READ_COMMITTED} THEN
    RAISE EXCEPTION 'deleting from % needs READ COMMITTED isolation: %', TG_TABLE_NAME,
      'its memberships follow by a trigger that must see those committed meanwhile'
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  {follow}
  RETURN NULL;
END $$"""


def _checking(name: str, rows: str, *, row: bool) -> str:
    """The function checking what new memberships name: a statement's (`rows`, its
    transition table) or one row's (`row`: NEW, for a BEFORE UPDATE trigger)."""
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  missing text;
BEGIN{_locked(rows, row=row)}{_checks(rows, row=row)}
  RETURN {"NEW" if row else "NULL"};
END $$"""


_TURN = f"""
CREATE FUNCTION memberships_keys_turn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared({LOCK_KEY});
  RETURN NULL;
END $$"""

# What deleting a row of each referenced table does to the memberships naming it (the
# foreign keys' ON DELETE CASCADE, and SET NULL for the users).
_FOLLOW = {
    "contacts": "DELETE FROM memberships WHERE contact_id IN (SELECT id FROM removed);",
    "segments": "DELETE FROM memberships WHERE segment_id IN (SELECT id FROM removed);",
    "users": "UPDATE memberships SET added_by_id = NULL "
             "WHERE added_by_id IN (SELECT id FROM removed);\n"
             "  UPDATE memberships SET removed_by_id = NULL "
             "WHERE removed_by_id IN (SELECT id FROM removed);",
}


def _naming(table: str, test: str) -> str:
    """`test` ({c}: a column) or-ed over the membership columns that name `table`."""
    return " OR ".join(test.format(c=column) for column, named, _ in _KEYS if named == table)


def _kept(table: str) -> str:
    """The function refusing an id change or a TRUNCATE of `table` while memberships name
    its rows."""
    return f"""
CREATE FUNCTION {table}_members_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    IF EXISTS (SELECT FROM memberships WHERE {_naming(table, "{c} IS NOT NULL")}) THEN
      RAISE EXCEPTION 'cannot truncate %: memberships name its rows', TG_TABLE_NAME
        USING ERRCODE = 'foreign_key_violation';
    END IF;
  ELSIF EXISTS (SELECT FROM memberships WHERE {_naming(table, "{c} = OLD.id")}) THEN
    RAISE foreign_key_violation USING
      MESSAGE = format('update on table "%s" violates a foreign key of table "memberships"',
                       TG_TABLE_NAME),
      DETAIL = format('Key (id)=(%s) is still referenced from table "memberships".', OLD.id);
  END IF;
  RETURN NULL;
END $$"""


_CHANGED = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column, _, _ in _KEYS)

POSTGRESQL_CREATE: tuple[str, ...] = (
    _TURN,
    "CREATE TRIGGER trg_memberships_keys_turn BEFORE INSERT OR UPDATE OR DELETE "
    "ON memberships FOR EACH STATEMENT EXECUTE FUNCTION memberships_keys_turn()",
    _checking("memberships_keys_insert", "added", row=False),
    "CREATE TRIGGER trg_memberships_keys_insert AFTER INSERT ON memberships "
    "REFERENCING NEW TABLE AS added FOR EACH STATEMENT "
    "EXECUTE FUNCTION memberships_keys_insert()",
    _checking("memberships_keys_update", "", row=True),
    f"CREATE TRIGGER trg_memberships_keys_update BEFORE UPDATE ON memberships FOR EACH ROW "
    f"WHEN ({_CHANGED}) EXECUTE FUNCTION memberships_keys_update()",
    *(statement for table, follow in _FOLLOW.items() for statement in (
        _deletes(table, follow),
        f"CREATE TRIGGER trg_{table}_members_delete AFTER DELETE ON {table} "
        f"REFERENCING OLD TABLE AS removed FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {table}_members_delete()",
        _kept(table),
        f"CREATE TRIGGER trg_{table}_members_id AFTER UPDATE OF id ON {table} FOR EACH ROW "
        f"WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION {table}_members_kept()",
        f"CREATE TRIGGER trg_{table}_members_truncate AFTER TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_members_kept()")),
)

POSTGRESQL_DROP: tuple[str, ...] = (
    "DROP TRIGGER IF EXISTS trg_memberships_keys_turn ON memberships",
    "DROP TRIGGER IF EXISTS trg_memberships_keys_insert ON memberships",
    "DROP TRIGGER IF EXISTS trg_memberships_keys_update ON memberships",
    *(f"DROP TRIGGER IF EXISTS trg_{table}_members_{kind} ON {table}"
      for table in _FOLLOW for kind in ("delete", "id", "truncate")),
    "DROP FUNCTION IF EXISTS memberships_keys_turn()",
    "DROP FUNCTION IF EXISTS memberships_keys_insert()",
    "DROP FUNCTION IF EXISTS memberships_keys_update()",
    *(f"DROP FUNCTION IF EXISTS {table}_members_{kind}()"
      for table in _FOLLOW for kind in ("delete", "kept")),
)
