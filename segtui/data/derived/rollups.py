"""Per-contact rollups of the events table, kept exact by database triggers.

D1.1.7 defines Total Spent, Purchase Count and Last Active as contact fields that
"automatically update". Computed per contact from 10M events they make a rule over a
million contacts take 45 s (`spent > 200 and purchases > 3`, measured with
`segtui segments count` on the reference dataset); as columns they are one table scan.

These are not stored metrics in F2.2.4's sense (numbers computed once and left to go
stale): triggers on `events` update them in the same statement as the event write, on both
engines, whoever writes (the app, an import, a script in psql), and
tests/data/test_rollups.py compares them with a recomputation from the events after
inserts, deletes and updates.

- `contacts.spent_cents`: sum of `revenue_cents` of the contact's `converted` events.
- `contacts.purchases`: how many `converted` events.
- `contacts.last_activity_at`: newest `occurred_at` among ACTION_EVENTS.
- `contacts.last_engaged_at`: newest `occurred_at` among ENGAGEMENT_EVENTS (opened,
  responded, attended a meeting): the detail screen's Engagement Rate counts a segment's
  engaged members from it without reading their events (data/queries/segment_metrics.py).

Migrations run this module's SQL as it is when they run, so a change to these definitions
comes with a migration that adds its columns, drops the triggers, rebuilds and recreates
them (0006 is the latest); older rollup migrations only add their columns.
"""

from __future__ import annotations

from sqlalchemy import Connection

from segtui.core.enums import ACTION_EVENTS, ENGAGEMENT_EVENTS, EventType
from segtui.data.db.sql import run_ddl

_ACTIONS = ", ".join(f"'{t.value}'" for t in ACTION_EVENTS)
_ENGAGED = ", ".join(f"'{t.value}'" for t in ENGAGEMENT_EVENTS)
_CONVERTED = f"'{EventType.CONVERTED.value}'"


def _recompute(contact: str) -> str:
    """SET clause recomputing one contact's rollups from its events."""
    return f"""
        spent_cents = (SELECT COALESCE(SUM(revenue_cents), 0) FROM events
                       WHERE contact_id = {contact} AND type = {_CONVERTED}),
        purchases = (SELECT COUNT(*) FROM events
                     WHERE contact_id = {contact} AND type = {_CONVERTED}),
        last_activity_at = (SELECT MAX(occurred_at) FROM events
                            WHERE contact_id = {contact} AND type IN ({_ACTIONS})),
        last_engaged_at = (SELECT MAX(occurred_at) FROM events
                           WHERE contact_id = {contact} AND type IN ({_ENGAGED}))"""


def _newest(column: str, types: str, new: str) -> str:
    """SET clause keeping `column` the newest occurred_at of `types` as `new` arrives."""
    return f"""{column} = CASE
            WHEN {new}.type IN ({types})
                 AND ({column} IS NULL OR {new}.occurred_at > {column})
            THEN {new}.occurred_at ELSE {column} END"""


def _add(new: str) -> str:
    """SET clause adding one new event to its contact's rollups (no re-scan)."""
    return f"""
        spent_cents = spent_cents + CASE WHEN {new}.type = {_CONVERTED}
                                         THEN COALESCE({new}.revenue_cents, 0) ELSE 0 END,
        purchases = purchases + CASE WHEN {new}.type = {_CONVERTED} THEN 1 ELSE 0 END,
        {_newest("last_activity_at", _ACTIONS, new)},
        {_newest("last_engaged_at", _ENGAGED, new)}"""


SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER trg_events_rollup_insert AFTER INSERT ON events
        BEGIN UPDATE contacts SET {_add("NEW")} WHERE id = NEW.contact_id; END""",
    f"""CREATE TRIGGER trg_events_rollup_delete AFTER DELETE ON events
        BEGIN UPDATE contacts SET {_recompute("OLD.contact_id")} WHERE id = OLD.contact_id;
        END""",
    f"""CREATE TRIGGER trg_events_rollup_update
        AFTER UPDATE OF contact_id, type, occurred_at, revenue_cents ON events
        BEGIN
          UPDATE contacts SET {_recompute("OLD.contact_id")} WHERE id = OLD.contact_id;
          UPDATE contacts SET {_recompute("NEW.contact_id")} WHERE id = NEW.contact_id;
        END""",
)
SQLITE_DROP = tuple(f"DROP TRIGGER IF EXISTS {name}" for name in (
    "trg_events_rollup_insert", "trg_events_rollup_delete", "trg_events_rollup_update"))

POSTGRESQL_TRIGGERS = (
    f"""CREATE OR REPLACE FUNCTION events_rollup() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        UPDATE contacts SET {_add("NEW")} WHERE id = NEW.contact_id;
        RETURN NULL;
      END IF;
      UPDATE contacts SET {_recompute("OLD.contact_id")} WHERE id = OLD.contact_id;
      IF TG_OP = 'UPDATE' AND NEW.contact_id <> OLD.contact_id THEN
        UPDATE contacts SET {_recompute("NEW.contact_id")} WHERE id = NEW.contact_id;
      END IF;
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER trg_events_rollup AFTER INSERT OR DELETE
       OR UPDATE OF contact_id, type, occurred_at, revenue_cents ON events
       FOR EACH ROW EXECUTE FUNCTION events_rollup()""",
)
POSTGRESQL_DROP = ("DROP TRIGGER IF EXISTS trg_events_rollup ON events",
                   "DROP FUNCTION IF EXISTS events_rollup()")

# Every contact at once, from one pass over the events (after a bulk load with the triggers
# off, and when the columns are first added).
REBUILD = """
UPDATE contacts SET
  spent_cents = COALESCE((SELECT r.spent FROM rollup_source r WHERE r.contact_id = contacts.id), 0),
  purchases = COALESCE((SELECT r.bought FROM rollup_source r WHERE r.contact_id = contacts.id), 0),
  last_activity_at = (SELECT r.latest FROM rollup_source r WHERE r.contact_id = contacts.id),
  last_engaged_at = (SELECT r.engaged FROM rollup_source r WHERE r.contact_id = contacts.id)
"""


def rollup_source(events: str = "events") -> str:
    """Each contact's rollups from `events`: the events table, or a subquery with its
    columns (the demo builder's generated events, before they are written)."""
    return f"""
SELECT contact_id,
       SUM(CASE WHEN type = {_CONVERTED} THEN COALESCE(revenue_cents, 0) ELSE 0 END) AS spent,
       SUM(CASE WHEN type = {_CONVERTED} THEN 1 ELSE 0 END) AS bought,
       MAX(CASE WHEN type IN ({_ACTIONS}) THEN occurred_at END) AS latest,
       MAX(CASE WHEN type IN ({_ENGAGED}) THEN occurred_at END) AS engaged
FROM {events} GROUP BY contact_id
"""


ROLLUP_SOURCE = rollup_source()


def create_triggers(conn: Connection) -> None:
    run_ddl(conn, SQLITE_TRIGGERS, POSTGRESQL_TRIGGERS)


def drop_triggers(conn: Connection) -> None:
    run_ddl(conn, SQLITE_DROP, POSTGRESQL_DROP)


def rebuild(conn: Connection) -> None:
    """Recompute every contact's rollups from the events, in one pass."""
    conn.exec_driver_sql("DROP TABLE IF EXISTS rollup_source")
    conn.exec_driver_sql(f"CREATE TEMPORARY TABLE rollup_source AS {ROLLUP_SOURCE}")
    conn.exec_driver_sql("CREATE UNIQUE INDEX rollup_source_contact "
                         "ON rollup_source (contact_id)")
    conn.exec_driver_sql(REBUILD)
    conn.exec_driver_sql("DROP TABLE rollup_source")
