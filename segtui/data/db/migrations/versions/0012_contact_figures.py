"""`contact_figures` (P6, the detail screen's cards within 300 ms on PostgreSQL): a
narrow copy of the six contact columns a segment's member passes sum (Quality Score,
filled fields, purchases, revenue, newest action, newest engagement), one row per
contact, kept equal to `contacts` by triggers (data/derived/figures.py). Fills it from every
contact (about 3 s at a million contacts on SQLite, 5-10 s on PostgreSQL).

PostgreSQL: the table leaves a tenth of each page free (fillfactor 90), so the copy an
event's rollup changes is rewritten in its own page (a HOT update, no index entry) even
while autovacuum is off or behind; and it is analysed, for the planner.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from segtui.data.derived import figures

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contact_figures",
        sa.Column("contact_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("quality_score", sa.Integer(), nullable=False),
        sa.Column("filled_fields", sa.Integer(), nullable=False),
        sa.Column("purchases", sa.Integer(), nullable=False),
        sa.Column("spent_cents", sa.BigInteger(), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(), nullable=True),
        sa.Column("last_engaged_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_contact_figures")),
    )
    conn = op.get_bind()
    postgresql = conn.dialect.name == "postgresql"
    if postgresql:
        op.execute("ALTER TABLE contact_figures SET (fillfactor = 90)")
    figures.copy(conn)
    figures.create_triggers(conn)
    if postgresql:
        op.execute("ANALYZE contact_figures")


def downgrade() -> None:
    figures.drop_triggers(op.get_bind())
    op.drop_table("contact_figures")
