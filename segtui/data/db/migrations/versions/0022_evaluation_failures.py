"""A dynamic segment's failed evaluation (C20.7.2): the error and when it happened, kept
until its rule is next evaluated whole without one (C20.7.3).

Plain ADD COLUMN, as 0003: batch mode on SQLite would copy and drop `segments`.

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("segments", sa.Column("evaluation_error", sa.Text(), nullable=True))
    op.add_column("segments", sa.Column("evaluation_failed_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    for column in ("evaluation_failed_at", "evaluation_error"):
        op.drop_column("segments", column)
