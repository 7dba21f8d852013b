"""Two costs of an API batch of 10,000 contacts (C21.1.13, docs/benchmarks.md):

1. `ix_companies_lower_name`: an import reads the companies its rows name by their
   lower-case name instead of reading every company (25,000 at a million contacts,
   50 ms of each batch, growing with the table; data/io/import_lookups.py). PostgreSQL
   folds in the "C" collation, ASCII letters only, as SQLite's lower() does.
2. SQLite: `trg_contacts_filled_update` runs only when the contact's count of filled
   fields changes. It updated the row a second time after every change of an email,
   phone, title, company or city: 30 ms of the 135 ms an UPDATE of 10,000 contacts'
   titles took. PostgreSQL assigns the count in a BEFORE trigger, no second update.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FOLDED = {"sqlite": "lower(name)", "postgresql": 'lower((name)::text COLLATE "C")'}


def upgrade() -> None:
    from segtui.data.derived import completeness

    dialect = op.get_bind().dialect.name
    op.execute(f"CREATE INDEX ix_companies_lower_name ON companies ({_FOLDED[dialect]})")
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS trg_contacts_filled_update")
        op.execute(completeness.SQLITE_UPDATE_TRIGGER)
    else:  # statistics of the new expression, or the planner guesses every company
        op.execute("ANALYZE companies")  # matches and reads them all (seen: 10 ms a batch)


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_companies_lower_name")
    if op.get_bind().dialect.name == "sqlite":  # the trigger as it was: without its WHEN
        from segtui.data.derived import completeness

        op.execute("DROP TRIGGER IF EXISTS trg_contacts_filled_update")
        op.execute("\n".join(line for line in completeness.SQLITE_UPDATE_TRIGGER.splitlines()
                             if not line.strip().startswith("WHEN ")))
