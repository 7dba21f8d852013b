"""`audit_log` (C19.4): an append-only record of who did what. The database refuses to
change or delete its rows: on SQLite always (triggers), on PostgreSQL for every role but
the table's owner (a trigger on UPDATE, DELETE and TRUNCATE that compares `current_user`
with the owner; the owner is who ran the migrations, the schema's owner).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFUSAL = "the audit log is append-only"

SQLITE = [f"""
CREATE TRIGGER audit_log_append_only_{op_name.lower()} BEFORE {op_name} ON audit_log
BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END
""" for op_name in ("UPDATE", "DELETE")]

POSTGRESQL = [f"""
CREATE FUNCTION segtui_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_user <> (SELECT pg_get_userbyid(relowner) FROM pg_class
                        WHERE oid = TG_RELID) THEN
        RAISE EXCEPTION '{REFUSAL}: % refused for %', TG_OP, current_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$""", """
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION segtui_audit_append_only()""", """
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION segtui_audit_append_only()"""]


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=300), server_default=sa.text("''"),
                  nullable=False),
        sa.Column("details", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_actor_at", "audit_log", ["actor", "at"])
    op.create_index("ix_audit_log_segment_at", "audit_log", ["segment_id", "at"])
    for statement in SQLITE if op.get_bind().dialect.name == "sqlite" else POSTGRESQL:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION segtui_audit_append_only()")
    op.drop_table("audit_log")
