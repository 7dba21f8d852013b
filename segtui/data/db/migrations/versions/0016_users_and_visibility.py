"""Teams on a shared database (C19.2, C19.3): a user's PostgreSQL login, whether they are
active, when they were last seen and their team; who sees a segment (its visibility, and
the users it is hidden from) and whether it is archived.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VISIBILITIES = ("Everyone", "Owner's team", "Private")


def upgrade() -> None:
    # Added columns with server defaults: no table rebuild on either engine, so SQLite's
    # foreign keys (ON DELETE CASCADE from memberships) are never touched.
    op.add_column("users", sa.Column("login", sa.String(length=63), nullable=True))
    op.add_column("users", sa.Column("active", sa.Boolean(), server_default=sa.true(),
                                     nullable=False))
    op.add_column("users", sa.Column("last_seen_at", sa.DateTime(), nullable=True))
    op.add_column("users", sa.Column("team", sa.String(length=100), nullable=True))
    op.create_index("uq_users_login", "users", ["login"], unique=True)
    allowed = ", ".join("'" + v.replace("'", "''") + "'" for v in VISIBILITIES)
    op.add_column("segments", sa.Column(
        "visibility",
        sa.Enum(*VISIBILITIES, name="segment_visibility", native_enum=False,
                create_constraint=False, length=12),
        server_default=sa.text("'Everyone'"), nullable=False))
    if op.get_bind().dialect.name == "postgresql":
        op.create_check_constraint("ck_segments_segment_visibility", "segments",
                                   f"visibility IN ({allowed})")
    else:  # SQLite adds a CHECK only by rebuilding the table: triggers hold the same rule
        for when in ("INSERT", "UPDATE OF visibility"):
            op.execute(f"""
CREATE TRIGGER segments_visibility_{when.split()[0].lower()} BEFORE {when} ON segments
WHEN NEW.visibility NOT IN ({allowed})
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: segment_visibility'); END""")
    op.add_column("segments", sa.Column("archived_at", sa.DateTime(), nullable=True))
    op.create_table(
        "segment_hidden_from",
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["segment_id"], ["segments.id"],
                                name=op.f("fk_segment_hidden_from_segment_id_segments"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_segment_hidden_from_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("segment_id", "user_id", name=op.f("pk_segment_hidden_from")),
    )
    op.create_index("ix_segment_hidden_from_user_id", "segment_hidden_from", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_segment_hidden_from_user_id", table_name="segment_hidden_from")
    op.drop_table("segment_hidden_from")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER segments_visibility_insert")
        op.execute("DROP TRIGGER segments_visibility_update")
    with op.batch_alter_table("segments") as batch:
        batch.drop_column("archived_at")
        batch.drop_column("visibility")
    op.drop_index("uq_users_login", table_name="users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("team")
        batch.drop_column("last_seen_at")
        batch.drop_column("active")
        batch.drop_column("login")
