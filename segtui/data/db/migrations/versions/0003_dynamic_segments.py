"""Dynamic segments (D1): a segment's kind, its rule as versioned JSON, when and how fast
it was last evaluated, and the contacts kept out of a dynamic segment by hand.

Columns are added with plain ALTER TABLE ... ADD COLUMN, not Alembic's batch mode: on SQLite
batch mode copies and drops `segments`, and dropping it would cascade to every membership.

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


def upgrade() -> None:
    op.create_table(
        "segment_exclusions",
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"],
                                name=op.f("fk_segment_exclusions_contact_id_contacts"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_segment_exclusions_created_by_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["segment_id"], ["segments.id"],
                                name=op.f("fk_segment_exclusions_segment_id_segments"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("segment_id", "contact_id", name=op.f("pk_segment_exclusions")),
    )
    op.create_index(op.f("ix_segment_exclusions_contact_id"), "segment_exclusions",
                    ["contact_id"], unique=False)
    # SQLite's ADD COLUMN cannot add the CHECK constraint of the vocabulary; there the ORM's
    # Enum validation guards it.
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column("segments", sa.Column(
        "kind",
        sa.Enum("Static", "Dynamic", name="segment_kind", native_enum=False,
                create_constraint=not sqlite),
        server_default=sa.text("'Static'"), nullable=False))
    op.add_column("segments", sa.Column("rule", sa.Text(), nullable=True))
    op.add_column("segments", sa.Column("evaluated_at", sa.DateTime(), nullable=True))
    op.add_column("segments", sa.Column("evaluation_ms", sa.Integer(), nullable=True))


def downgrade() -> None:
    # SQLite cannot drop these columns without copying `segments` (see above); they are
    # left in place there, and dropped on PostgreSQL.
    if op.get_bind().dialect.name != "sqlite":
        for column in ("evaluation_ms", "evaluated_at", "rule", "kind"):
            op.drop_column("segments", column)
    op.drop_index(op.f("ix_segment_exclusions_contact_id"), table_name="segment_exclusions")
    op.drop_table("segment_exclusions")
