"""One contact per email, held by the database (I16.1).

Adds `contacts.email_key` (the email trimmed and case-folded: core/contact_keys.py) under a
unique index. A database may already hold contacts sharing an email (the data quality
report's "Same email" groups; concurrent imports into PostgreSQL made thousands): each such
group is merged into its oldest contact with the data quality merge (docs/quality.md,
"Merging": memberships with their history, exclusions, events and tags move; fields the
kept contact lacks are filled; the others are deleted), the affected segments log
"Contacts Merged", the dynamic segments are owed a re-evaluation of the kept contacts
(data/rules/pending.py), and each merge is written to stderr. Keeping the oldest is the report's
own default ("Which contact is kept"); refusing instead would leave an administrator with
thousands of groups to merge by hand before segtui could open the database at all.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from segtui.core import clock
from segtui.core.contact_keys import email_key
from segtui.data.rules import pending
from segtui.data.writes import merge

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("segtui.migrate")
# The columns a merge fills, as the contacts table has them at this revision: a later
# migration's columns must not be read here (they don't exist yet when this one runs).
FILLABLE = ("email", "phone", "title", "company_id", "lifecycle_stage", "source", "city",
            "state", "country", "region")
SHOWN_MERGES = 20  # merges written out one by one; the rest are counted


def upgrade() -> None:
    op.add_column("contacts", sa.Column("email_key", sa.String(length=320), nullable=True))
    conn = op.get_bind()
    _fill_keys(conn)
    _merge_duplicates(conn)
    op.create_index("uq_contacts_email_key", "contacts", ["email_key"], unique=True,
                    sqlite_where=sa.text("email_key IS NOT NULL"),
                    postgresql_where=sa.text("email_key IS NOT NULL"))


def _fill_keys(conn: sa.Connection) -> None:
    """Every contact's key. For an email of printable ASCII (all but a few) SQL's
    lower(trim()) is exactly Python's casefold(strip()), so one UPDATE does them; the rest
    (accents, tabs, other spaces) are keyed in Python."""
    plain = ("email NOT GLOB '*[^ -~]*'" if conn.dialect.name == "sqlite"
             else "email !~ '[^ -~]'")
    conn.execute(sa.text(f"UPDATE contacts SET email_key = lower(trim(email)) "
                         f"WHERE email IS NOT NULL AND {plain} AND trim(email) <> ''"))
    rest = conn.execute(sa.text(f"SELECT id, email FROM contacts "
                                f"WHERE email IS NOT NULL AND NOT ({plain})")).all()
    if rest:
        conn.execute(sa.text("UPDATE contacts SET email_key = :key WHERE id = :id"),
                     [{"key": email_key(email), "id": cid} for cid, email in rest])


def _merge_duplicates(conn: sa.Connection) -> None:
    keys = conn.execute(sa.text(
        "SELECT email_key FROM contacts WHERE email_key IS NOT NULL "
        "GROUP BY email_key HAVING count(*) > 1 ORDER BY email_key")).scalars().all()
    if not keys:
        return
    now = clock.now()
    kept: list[int] = []
    merged_count = 0
    for n, key in enumerate(keys):
        ids = list(conn.execute(sa.text(
            "SELECT id FROM contacts WHERE email_key = :key ORDER BY created_at, id"),
            {"key": key}).scalars())
        result = merge.merge_into(
            conn, ids[0], ids[1:], None, now, fillable=FILLABLE,
            why=" Merged by segtui's upgrade: contacts may no longer share an email.",
            ended_why=False)  # memberships.left_why comes at 0023
        kept.append(result.kept)
        merged_count += len(result.merged)
        if n < SHOWN_MERGES:
            log.warning("segtui upgrade: contacts %s shared the email %r with contact %s, "
                        "the oldest; merged into it",
                        ", ".join(map(str, result.merged)), key, result.kept)
    if len(keys) > SHOWN_MERGES:
        log.warning("segtui upgrade: … and %s more groups of contacts sharing an email",
                    f"{len(keys) - SHOWN_MERGES:,}")
    log.warning("segtui upgrade: %s contacts merged into %s that had the same email "
                "(docs/quality.md, \"Merging\")", f"{merged_count:,}", f"{len(keys):,}")
    pending.owe_contacts(conn, kept, now)


def downgrade() -> None:
    op.drop_index("uq_contacts_email_key", table_name="contacts")
    # SQLite cannot drop the column without copying `contacts` (which would cascade); it
    # stays there, unused. Merged contacts stay merged.
    if op.get_bind().dialect.name != "sqlite":
        op.drop_column("contacts", "email_key")
