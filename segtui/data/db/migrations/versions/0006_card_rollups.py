"""Two per-contact values the detail screen's cards read instead of recomputing them for
every member each time a segment opens (R7.5):

- `contacts.last_engaged_at`, the newest engagement (opened, responded, attended a
  meeting), kept by the event rollup triggers (data/derived/rollups.py): Engagement Rate counts a
  segment's engaged members in a window from it instead of probing each member's events.
- `contacts.filled_fields`, how many of the Quality Score's five fields the contact has
  filled, kept by triggers on `contacts` (data/derived/completeness.py).

Installs the rollup triggers as `segtui/data/derived/rollups.py` now defines them (dropping the
ones made from older definitions) and computes both columns for every contact (about 20 s
at a million contacts and ten million events).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from segtui.data.derived import completeness, rollups

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("contacts", sa.Column("last_engaged_at", sa.DateTime(), nullable=True))
    op.add_column("contacts", sa.Column("filled_fields", sa.Integer(),
                                        server_default=sa.text("0"), nullable=False))
    conn = op.get_bind()
    rollups.drop_triggers(conn)
    rollups.rebuild(conn)
    rollups.create_triggers(conn)
    completeness.rebuild(conn)
    completeness.create_triggers(conn)


def downgrade() -> None:
    conn = op.get_bind()
    completeness.drop_triggers(conn)
    rollups.drop_triggers(conn)
    # SQLite cannot drop columns without copying `contacts` (which would cascade); they stay.
    if conn.dialect.name != "sqlite":
        op.drop_column("contacts", "filled_fields")
        op.drop_column("contacts", "last_engaged_at")
