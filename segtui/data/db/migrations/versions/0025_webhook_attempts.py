"""When a webhook delivery was last attempted (C21.3.3): the time of its last failure, for
the delivery log and `segtui webhooks list` ("last failure at ..."). `next_attempt_at`
says when it is tried again, which follows from the backoff and can't tell it.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("webhook_deliveries", sa.Column("last_attempt_at", sa.DateTime(),
                                                  nullable=True))


def downgrade() -> None:
    # Not a batch (a copy of the table): SQLite refuses to rename the copy while the
    # outbox's triggers on memberships name the table. Both engines drop a column.
    op.execute("ALTER TABLE webhook_deliveries DROP COLUMN last_attempt_at")
