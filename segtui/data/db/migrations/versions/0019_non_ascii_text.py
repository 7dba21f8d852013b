"""Which contacts' text is all ASCII, kept by the database (P8).

Adds `contacts.non_ascii_text`: true when any text column a rule scans holds a
character beyond ASCII, and `companies.non_ascii_name`, the same for a company's name,
set by triggers on both engines (data/derived/plain_text.py). For the other rows
SQLite's own LIKE and NOCASE fold case exactly as Python's casefold() does, so a text rule
calls into Python only for the flagged ones. The flags join the indexes a text rule
scans, `ix_contacts_name` (name, id, flag), `ix_contacts_email` (email, flag) and
`ix_companies_name` (name, flag), which are rebuilt.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from segtui.data.derived import plain_text

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("contacts", sa.Column("non_ascii_text", sa.Boolean(),
                                        server_default=sa.false(), nullable=False))
    conn = op.get_bind()
    op.add_column("companies", sa.Column("non_ascii_name", sa.Boolean(),
                                         server_default=sa.false(), nullable=False))
    plain_text.rebuild(conn)
    plain_text.rebuild_companies(conn)
    plain_text.create_triggers(conn)
    op.drop_index("ix_companies_name", table_name="companies")
    op.create_index("ix_companies_name", "companies", ["name", "non_ascii_name"])
    op.drop_index("ix_contacts_name", table_name="contacts")
    op.create_index("ix_contacts_name", "contacts", ["name", "id", "non_ascii_text"])
    op.drop_index("ix_contacts_email", table_name="contacts")
    op.create_index("ix_contacts_email", "contacts", ["email", "non_ascii_text"])


def downgrade() -> None:
    conn = op.get_bind()
    plain_text.drop_triggers(conn)
    op.drop_index("ix_contacts_email", table_name="contacts")
    op.create_index("ix_contacts_email", "contacts", ["email"])
    op.drop_index("ix_contacts_name", table_name="contacts")
    op.create_index("ix_contacts_name", "contacts", ["name", "id"])
    op.drop_index("ix_companies_name", table_name="companies")
    op.create_index("ix_companies_name", "companies", ["name"])
    # SQLite cannot drop columns without copying the tables (which would cascade): they stay.
    if conn.dialect.name != "sqlite":
        op.drop_column("contacts", "non_ascii_text")
        op.drop_column("companies", "non_ascii_name")
