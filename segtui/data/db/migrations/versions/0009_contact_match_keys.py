"""Matching rows to contacts without an email (I16.16): `contacts.external_id`, the
contact's id in the system a file came from, unique like the email; and an index on the
phone without punctuation, for `--match phone`.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from segtui.data.db.tables import phone_key_of

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("contacts", sa.Column("external_id", sa.String(length=100), nullable=True))
    op.create_index("uq_contacts_external_id", "contacts", ["external_id"], unique=True,
                    sqlite_where=sa.text("external_id IS NOT NULL"),
                    postgresql_where=sa.text("external_id IS NOT NULL"))
    op.create_index("ix_contacts_phone_key", "contacts",
                    [phone_key_of(sa.column("phone", sa.String()))], unique=False)


def downgrade() -> None:
    op.drop_index("ix_contacts_phone_key", table_name="contacts")
    op.drop_index("uq_contacts_external_id", table_name="contacts")
    # SQLite cannot drop the column without copying `contacts` (which would cascade).
    if op.get_bind().dialect.name != "sqlite":
        op.drop_column("contacts", "external_id")
