"""Membership history (C20.1): why each stay began and ended (`added_why`, `left_why`;
empty for the stays before this revision, whose reason is told by their source and who
ended them, core/history.py), and `segment_daily_sizes`, each segment's size and moves
at the end of each closed day, filled from the stays (data/derived/daily_sizes.py) so a
long range is read from a few rows, and kept when old stays are pruned (C20.1.4).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable, no default: adding them rewrites no row (SQLite and PostgreSQL alike), and
    # the table (its triggers) stays as it is; SQLite's ALTER TABLE ADD COLUMN suffices.
    op.add_column("memberships", sa.Column("added_why", sa.String(length=12), nullable=True))
    op.add_column("memberships", sa.Column("left_why", sa.String(length=12), nullable=True))
    op.create_table(
        "segment_daily_sizes",
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("entered", sa.Integer(), nullable=False),
        sa.Column("left", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["segment_id"], ["segments.id"], ondelete="CASCADE",
                                name=op.f("fk_segment_daily_sizes_segment_id_segments")),
        sa.PrimaryKeyConstraint("segment_id", "day", name=op.f("pk_segment_daily_sizes")),
    )


def downgrade() -> None:
    op.drop_table("segment_daily_sizes")
    op.drop_column("memberships", "left_why")
    op.drop_column("memberships", "added_why")
