"""`segment_sizes` (C21.1.3, P5): each segment's number of current members as the sum of
its rows, kept by triggers on `memberships` (data/derived/stays.py, SegmentSizes), so a
segment's count is a row or two where it was a walk of its stays (8 ms of an 11 ms API
GET at 101,291 members). Counted here from the memberships, one row a segment.

PostgreSQL: a tenth of each page left free (fillfactor 90), so a count a membership
changes is rewritten in its own page (a HOT update) even while autovacuum is off or
behind; and analysed, for the planner.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from segtui.data.derived.stays import SEGMENT_SIZES

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "segment_sizes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  autoincrement=True, nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segment_sizes")),
    )
    op.create_index("ix_segment_sizes_segment", "segment_sizes", ["segment_id", "members"])
    conn = op.get_bind()
    postgresql = conn.dialect.name == "postgresql"
    if postgresql:
        op.execute("ALTER TABLE segment_sizes SET (fillfactor = 90)")
    SEGMENT_SIZES.rebuild(conn)
    SEGMENT_SIZES.create_triggers(conn)
    if postgresql:
        op.execute("ANALYZE segment_sizes")


def downgrade() -> None:
    SEGMENT_SIZES.drop_triggers(op.get_bind())
    op.drop_table("segment_sizes")
