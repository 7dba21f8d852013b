"""Per-contact rollups of the events (D1.1.7): `contacts.spent_cents`, `purchases`,
`last_activity_at`.

The triggers that keep them exact and their first values come from `segtui/data/derived/rollups.py`
as it is when a migration runs, so they are installed by the newest migration that changed
those definitions (0006, which added `last_engaged_at`); this one only adds its columns.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("contacts", sa.Column("spent_cents", sa.BigInteger(),
                                        server_default=sa.text("0"), nullable=False))
    op.add_column("contacts", sa.Column("purchases", sa.Integer(),
                                        server_default=sa.text("0"), nullable=False))
    op.add_column("contacts", sa.Column("last_activity_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    conn = op.get_bind()
    # SQLite cannot drop columns without copying `contacts` (which would cascade); they stay.
    if conn.dialect.name != "sqlite":
        for column in ("last_activity_at", "purchases", "spent_cents"):
            op.drop_column("contacts", column)
