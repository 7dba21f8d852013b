"""Indexes the segment detail screen's tabs read from at a million contacts (P7):

- `ix_contacts_keyless_email`: the contacts written without their email key (by another
  program writing the tables itself), the only ones that can share an email with another
  contact now that `uq_contacts_email_key` holds the rest (migration 0008). Partial, so
  empty when segtui writes everything: the data quality report and the AI Insights finding
  find shared emails from it instead of grouping every contact's email
  (data/queries/shared_emails.py).
- `ix_contacts_score_status_company`: the AI Insights lookalikes, contacts at or above a
  quality score (of a lead status, at a company of a size), counted from the index alone
  and the best found by walking it from the top score.
- `ix_events_type_time_contact` gains the campaign: the Performance tab's sends of the
  last 60 days, with their campaigns, are a range of the index alone (rebuilding it takes
  20-60 s at ten million events).

PostgreSQL: the tables are analysed afterwards, so the planner knows the new indexes
(and, on a database bulk-loaded with autovacuum off, the tables at all).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYLESS = "email_key IS NULL AND email IS NOT NULL"


def upgrade() -> None:
    op.create_index("ix_contacts_keyless_email", "contacts", ["email"], unique=False,
                    sqlite_where=sa.text(KEYLESS), postgresql_where=sa.text(KEYLESS))
    op.create_index("ix_contacts_score_status_company", "contacts",
                    ["quality_score", "lead_status", "company_id"], unique=False)
    op.drop_index("ix_events_type_time_contact", table_name="events")
    op.create_index("ix_events_type_time_contact", "events",
                    ["type", "occurred_at", "contact_id", "campaign_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ANALYZE contacts")
        op.execute("ANALYZE events")


def downgrade() -> None:
    op.drop_index("ix_events_type_time_contact", table_name="events")
    op.create_index("ix_events_type_time_contact", "events",
                    ["type", "occurred_at", "contact_id"], unique=False)
    op.drop_index("ix_contacts_score_status_company", table_name="contacts")
    op.drop_index("ix_contacts_keyless_email", table_name="contacts")
