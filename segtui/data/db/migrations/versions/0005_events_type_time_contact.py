"""Events indexed by (type, occurred_at, contact_id) instead of (type, occurred_at) (D1).

"Contacts who opened within the last 30 days" is a range of this index; with the contact
in the index it is answered from the index alone, with no lookup into `events` per event.
Dynamic-segment rules list those contacts (data/rules/compiler.py), and the wider index serves
every query the old one served.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_type_time_contact",
                              ["type", "occurred_at", "contact_id"], unique=False)
        batch_op.drop_index("ix_events_type_time")


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_type_time", ["type", "occurred_at"], unique=False)
        batch_op.drop_index("ix_events_type_time_contact")
