"""The contacts' name index holds the id too (P5): `ix_contacts_name` becomes
(name, id), the whole sort key of every contact list. A page of a large segment's member
list walks it from the page's edge, checking membership per contact
(data/queries/member_page.py); with the id in the index, PostgreSQL walks it without reading the
table (an index-only scan) and compares the keyset's (name, id) within the index. SQLite's
index on name already held the id (its rowid); it is rebuilt to match the model.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_contacts_name", table_name="contacts")
    op.create_index("ix_contacts_name", "contacts", ["name", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_contacts_name", table_name="contacts")
    op.create_index("ix_contacts_name", "contacts", ["name"], unique=False)
