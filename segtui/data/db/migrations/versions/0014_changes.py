"""`changes`: what was committed, by whom, for the other segtuis on the database to follow
(C19.1, live collaboration). PostgreSQL: a statement trigger announces each new change on the
`segtui_changes` channel (NOTIFY is delivered at commit, and only then).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOTIFY = """
CREATE FUNCTION segtui_announce_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('segtui_changes', '');
    RETURN NULL;
END $$;
CREATE TRIGGER changes_announced AFTER INSERT ON changes
    FOR EACH STATEMENT EXECUTE FUNCTION segtui_announce_change();
"""


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("origin", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.Column("what", sa.String(length=50), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=200), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_changes")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(NOTIFY)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER changes_announced ON changes")
        op.execute("DROP FUNCTION segtui_announce_change()")
    op.drop_table("changes")
