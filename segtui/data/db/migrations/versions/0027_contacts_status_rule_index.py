"""`ix_contacts_status_rules` (P4: the rule builder's live count within 200 ms on
PostgreSQL): the contacts' lead status, quality score, company, city and id in one index,
so a rule that starts from a status (`status in ("Hot Lead", Qualified) and (score > 70
or ...) and (city in (...) or size = Enterprise) and opened within 30d >= 1`, the
templates' "Engaged Hot Leads" and "Enterprise Prospects") is answered from the index
alone. Without it PostgreSQL read all 35,711 pages of the 279 MB contacts table for the
300,000 contacts of two statuses, through 128 MB of shared buffers (docs/benchmarks.md,
2026-12-07).

PostgreSQL only: SQLite reads its file through a memory map and starts such a rule from
the list of contacts who opened (182 ms at a million contacts); the models declare the
index for PostgreSQL alone (`ddl_if`). `contacts` is analysed afterwards, so the planner
knows the index.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["lead_status", "quality_score", "company_id", "city", "id"]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_index("ix_contacts_status_rules", "contacts", COLUMNS, unique=False)
    op.execute("ANALYZE contacts")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_contacts_status_rules", table_name="contacts")
