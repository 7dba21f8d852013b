"""PostgreSQL: what a membership names (its contact, its segment, the users who added and
removed it) is held by triggers that check a statement's rows at once, instead of four
foreign keys that checked them row by row and locked each contact's row
(data/db/member_keys.py; P9, P10). SQLite keeps its foreign keys.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (column, referenced table, ON DELETE) of each key, for the downgrade.
_KEYS = (("segment_id", "segments", "CASCADE"), ("contact_id", "contacts", "CASCADE"),
         ("added_by_id", "users", "SET NULL"), ("removed_by_id", "users", "SET NULL"))


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from segtui.data.db import member_keys

    for column, table, _ in _KEYS:
        op.drop_constraint(f"fk_memberships_{column}_{table}", "memberships",
                           type_="foreignkey")
    for statement in member_keys.POSTGRESQL_CREATE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from segtui.data.db import member_keys

    for statement in member_keys.POSTGRESQL_DROP:
        op.execute(statement)
    for column, table, ondelete in _KEYS:
        op.create_foreign_key(f"fk_memberships_{column}_{table}", "memberships", table,
                              [column], ["id"], ondelete=ondelete)
