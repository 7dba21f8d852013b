"""The webhook outbox's triggers (C21.3.2): every membership change of a subscribed segment
becomes a `webhook_deliveries` row for each subscription sent that kind of change, written
by the database in the statement that makes the change, whoever makes it (the app, a
refresh, an import, `segtui worker`, a script in psql). A change that rolls back takes its
deliveries with it; a committed one has them, durable before any sender looks.

A change is a stay beginning (a row inserted current: "entered") or ending (`removed_at`
set: "left"). A stay deleted outright (an erased contact, C19.5; a deleted segment, whose
subscriptions go with it) is sent nothing: an erased person's data leaves nowhere.

- PostgreSQL: one call per statement, from its transition tables; a statement on a
  database with no active subscription costs one index probe, nothing per row.
- SQLite: per row, only for a segment with a subscription (the WHEN is checked before
  any call: one probe of `ix_webhook_subscriptions_segment_id` per row).
"""

from __future__ import annotations

from sqlalchemy import Connection

from segtui.data.db.sql import run_ddl


def _owed(event: str, rows: str, at: str, where: str) -> str:
    """INSERT ... SELECT of the deliveries `rows` (aliased a) owe, for `event`."""
    return f"""INSERT INTO webhook_deliveries
          (subscription_id, event, segment_id, contact_id, happened_at, status, attempts)
        SELECT s.id, '{event}', a.segment_id, a.contact_id, {at}, 'pending', 0
        FROM {rows} JOIN webhook_subscriptions s ON s.segment_id = a.segment_id
        WHERE s.active AND s.events IN ('{event}', 'both') AND {where}
        ORDER BY a.id, s.id;"""


_ANY = "IF EXISTS (SELECT 1 FROM webhook_subscriptions WHERE active) THEN"

POSTGRESQL_TRIGGERS = (
    f"""CREATE OR REPLACE FUNCTION webhook_outbox_insert() RETURNS trigger AS $$
    BEGIN {_ANY}
      {_owed("entered", "added a", "a.added_at", "a.removed_at IS NULL")}
    END IF;
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER trg_webhook_outbox_insert AFTER INSERT ON memberships
       REFERENCING NEW TABLE AS added FOR EACH STATEMENT
       EXECUTE FUNCTION webhook_outbox_insert()""",
    f"""CREATE OR REPLACE FUNCTION webhook_outbox_update() RETURNS trigger AS $$
    BEGIN {_ANY}
      {_owed("left", "added a JOIN removed r ON r.id = a.id", "a.removed_at",
             "r.removed_at IS NULL AND a.removed_at IS NOT NULL")}
    END IF;
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER trg_webhook_outbox_update AFTER UPDATE ON memberships
       REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT
       EXECUTE FUNCTION webhook_outbox_update()""",
)
POSTGRESQL_DROP = (
    "DROP TRIGGER IF EXISTS trg_webhook_outbox_insert ON memberships",
    "DROP TRIGGER IF EXISTS trg_webhook_outbox_update ON memberships",
    "DROP FUNCTION IF EXISTS webhook_outbox_insert()",
    "DROP FUNCTION IF EXISTS webhook_outbox_update()",
)

_SUBSCRIBED = ("EXISTS (SELECT 1 FROM webhook_subscriptions "
               "WHERE segment_id = NEW.segment_id AND active)")


def _sqlite_owed(event: str, at: str) -> str:
    return f"""INSERT INTO webhook_deliveries
          (subscription_id, event, segment_id, contact_id, happened_at, status, attempts)
        SELECT id, '{event}', NEW.segment_id, NEW.contact_id, {at}, 'pending', 0
        FROM webhook_subscriptions
        WHERE segment_id = NEW.segment_id AND active AND events IN ('{event}', 'both')
        ORDER BY id;"""


SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER trg_webhook_outbox_insert AFTER INSERT ON memberships
        WHEN NEW.removed_at IS NULL AND {_SUBSCRIBED}
        BEGIN {_sqlite_owed("entered", "NEW.added_at")} END""",
    f"""CREATE TRIGGER trg_webhook_outbox_update AFTER UPDATE OF removed_at ON memberships
        WHEN OLD.removed_at IS NULL AND NEW.removed_at IS NOT NULL AND {_SUBSCRIBED}
        BEGIN {_sqlite_owed("left", "NEW.removed_at")} END""",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS trg_webhook_outbox_insert",
    "DROP TRIGGER IF EXISTS trg_webhook_outbox_update",
)


def create_triggers(conn: Connection) -> None:
    run_ddl(conn, SQLITE_TRIGGERS, POSTGRESQL_TRIGGERS)


def drop_triggers(conn: Connection) -> None:
    run_ddl(conn, SQLITE_DROP, POSTGRESQL_DROP)
