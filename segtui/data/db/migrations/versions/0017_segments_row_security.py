"""Who sees a segment, held by PostgreSQL too (C19.3.2, C19.2): row-level security on
`segments` for every login but the table's owner (who runs the migrations; a superuser
bypasses it as well). A Viewer's login sees only the segments its segtui user sees by the
rules of segtui/data/queries/visibility.py, so a Viewer's psql can't read a private
segment either. SQLite (one person's file) has no logins.

Decision: a Marketing Manager's login sees every row in SQL (segtui still shows them only
what they may see). A manager's segtui keeps every dynamic segment correct after what
they change: an import owes each changed contact a re-evaluation by every dynamic
segment, done and then crossed off in the same transaction; a session that could not see
a hidden segment would cross it off for that segment too, and leave it wrong. A Viewer's
segtui does no such work (C19.2.6), so nothing is lost by hiding rows from it.

The rule is `segtui_sees(owner, visibility, id)`, a STABLE SQL function run as the caller
(`current_user` is the login; it reads `users` and `segment_hidden_from`, which every
segtui group may read). Foreign-key checks and cascades bypass row security, so members
of a hidden segment still cascade with it; the memberships themselves are not filtered
(decision: a segment's members are found through the segment a user can name, and
filtering 1M memberships per statement would cost every member query).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEES = """
CREATE FUNCTION segtui_sees(segment_owner integer, segment_visibility text,
                            segment_id integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT coalesce(bool_or(
        me.role IN ('CRM Administrator', 'Marketing Manager')
        OR segment_owner = me.id
        OR (NOT EXISTS (SELECT 1 FROM segment_hidden_from h
                        WHERE h.segment_id = segtui_sees.segment_id AND h.user_id = me.id)
            AND (segment_visibility = 'Everyone'
                 OR (segment_visibility = 'Owner''s team' AND me.team IS NOT NULL
                     AND EXISTS (SELECT 1 FROM users o WHERE o.id = segment_owner
                                 AND o.team = me.team))))), false)
    FROM users me WHERE me.login = current_user AND me.active
$$"""

POLICIES = [
    "ALTER TABLE segments ENABLE ROW LEVEL SECURITY",
    "CREATE POLICY segments_seen ON segments FOR SELECT "
    "USING (segtui_sees(owner_id, visibility, id))",
    "CREATE POLICY segments_changed ON segments FOR UPDATE "
    "USING (segtui_sees(owner_id, visibility, id))",
    "CREATE POLICY segments_deleted ON segments FOR DELETE "
    "USING (segtui_sees(owner_id, visibility, id))",
    "CREATE POLICY segments_made ON segments FOR INSERT WITH CHECK (true)",
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(SEES)
    for statement in POLICIES:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for policy in ("segments_made", "segments_deleted", "segments_changed", "segments_seen"):
        op.execute(f"DROP POLICY {policy} ON segments")
    op.execute("ALTER TABLE segments DISABLE ROW LEVEL SECURITY")
    op.execute("DROP FUNCTION segtui_sees(integer, text, integer)")
