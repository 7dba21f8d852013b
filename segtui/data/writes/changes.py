"""Recording a committed change for the other segtuis on the database (C19.1): one row of
`changes` in the change's own transaction, so it is seen exactly when the change is (and
never for a change rolled back). On PostgreSQL the row's trigger announces it (NOTIFY at
commit); on SQLite the others notice the commit itself (data/db/change_watch.py).

Which Store wrote it (its `origin`), and the user it acts for, ride on the write
connection's execution options (Database.stamped), so no writer needs to be told."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete, insert

from segtui.core import clock
from segtui.core.changes import MEMBERS_REFRESHED
from segtui.core.permissions import CurrentUser
from segtui.core.rules.refresh import RefreshResult
from segtui.data.db.engine import ACTOR_OPTION, ORIGIN_OPTION
from segtui.data.db.tables import Change

# A change is news for seconds; the log keeps this many rows behind the newest, pruned
# every PRUNE_EVERY rows (an app that was asleep longer reloads everything: store.changes).
KEEP = 10_000
PRUNE_EVERY = 1_000


def writer(conn: Connection, user: CurrentUser | None) -> tuple[str, str | None] | None:
    """(the Store that writes on `conn`, the name it writes as: `user`'s, else the user the
    Store acts for), or None when no Store writes: a migration (0008 merges contacts),
    which the change log and the audit log do not record (they may not exist yet)."""
    options = conn.get_execution_options()
    origin = options.get(ORIGIN_OPTION)
    if origin is None:
        return None
    return str(origin), user.name if user is not None else options.get(ACTOR_OPTION)


def record_change(conn: Connection, what: str, segment_id: int | None,
                  user: CurrentUser | None, detail: str = "") -> None:
    """`what` (an activity kind, or one of core/changes.py's) happened to the segment
    (None: to contacts or events) by `user` (None: whoever the Store acts for, or segtui
    itself: a re-evaluation nobody asked for)."""
    written = writer(conn, user)
    if written is None:
        return
    origin, actor = written
    change_id = conn.execute(
        insert(Change).values(at=clock.now(), origin=origin,
                              actor=actor, what=what,
                              segment_id=segment_id, detail=detail[:200])
        .returning(Change.id)
    ).scalar_one()
    if change_id % PRUNE_EVERY == 0:
        conn.execute(delete(Change).where(Change.id <= change_id - KEEP))


def record_refreshed(conn: Connection, results: Sequence[RefreshResult]) -> None:
    """Re-evaluations nobody logged on a timeline (start-up, after an import, a merge, or
    another segment's change): each segment whose members changed is news."""
    for result in results:
        if result.changed:
            record_change(conn, MEMBERS_REFRESHED, result.segment_id, None)
