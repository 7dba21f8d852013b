"""Durable re-evaluation (I16.4): `pending_evaluations`, the dynamic segments' to-do
written in the same transaction as the change that makes it due (an import, a merge), so a
process killed right after its commit leaves the to-do behind instead of stale members.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pending_evaluations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["segment_id"], ["segments.id"],
                                name=op.f("fk_pending_evaluations_segment_id_segments"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_evaluations")),
    )
    op.create_index(op.f("ix_pending_evaluations_segment_id"), "pending_evaluations",
                    ["segment_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_pending_evaluations_segment_id"), table_name="pending_evaluations")
    op.drop_table("pending_evaluations")
