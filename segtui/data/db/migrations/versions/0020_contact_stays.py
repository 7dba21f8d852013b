"""`contact_stays` (P2, the dashboard's metric cards within 300 ms at a million contacts):
each contact's number of current stays, one row per contact in at least one segment,
kept by triggers on `memberships` (data/derived/stays.py). Counts it from the memberships
(about 1 s at a million contacts and 1.78 million stays on PostgreSQL).

PostgreSQL: the table leaves a tenth of each page free (fillfactor 90), so a count a
membership changes is rewritten in its own page (a HOT update, no index entry) even while
autovacuum is off or behind; and it is analysed, for the planner.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from segtui.data.derived import stays

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contact_stays",
        sa.Column("contact_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("stays", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_contact_stays")),
    )
    conn = op.get_bind()
    postgresql = conn.dialect.name == "postgresql"
    if postgresql:
        op.execute("ALTER TABLE contact_stays SET (fillfactor = 90)")
    stays.rebuild(conn)
    stays.create_triggers(conn)
    if postgresql:
        op.execute("ANALYZE contact_stays")


def downgrade() -> None:
    stays.drop_triggers(op.get_bind())
    op.drop_table("contact_stays")
