"""Partial covering indexes on events for a segment's cards (issue 4's 300 ms budget):
`ix_events_engaged` (engagement events by contact and time) and `ix_events_outcome`
(conversions and unsubscribes by contact).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of models.ENGAGED_TYPES_SQL / OUTCOME_TYPES_SQL as of this revision: a
# migration must not change when the models later do.
ENGAGED = "type IN ('opened', 'responded', 'meeting_attended')"
OUTCOME = "type IN ('converted', 'unsubscribed')"


def upgrade() -> None:
    op.create_index("ix_events_engaged", "events", ["contact_id", "occurred_at", "type"],
                    sqlite_where=sa.text(ENGAGED), postgresql_where=sa.text(ENGAGED))
    op.create_index("ix_events_outcome", "events", ["contact_id", "type"],
                    sqlite_where=sa.text(OUTCOME), postgresql_where=sa.text(OUTCOME))


def downgrade() -> None:
    op.drop_index("ix_events_outcome", table_name="events")
    op.drop_index("ix_events_engaged", table_name="events")
