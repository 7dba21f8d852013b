"""The schema, as SQLAlchemy Core tables: what every query of the app is written against.

One class per table, whose attributes are its columns (`Contact.score` is a `Column`) and
which stands for its table wherever SQLAlchemy takes one (`select_from(Contact)`,
`insert(Contact)`), so queries read as they would on ORM classes without loading the ORM:
a scripted read command (P12) would otherwise spend a third of its time importing
`sqlalchemy.orm` and mapping classes it never uses. data/db/models.py maps ORM classes onto
these same tables for the code that builds rows as objects in a Session (the tests).

The first Alembic migration creates exactly this (tests/data/test_migrations.py proves it).
Conventions:
- Closed vocabularies are stored as their user-visible values with a CHECK constraint.
- Money is integer cents: exact on every engine, no float drift in sums.
- Case-insensitive uniqueness (segment names, tag names) uses a `*_key` column holding the
  case-folded value with a plain UNIQUE index, which behaves the same on SQLite and PostgreSQL.
- Membership keeps history: a row per stay in a segment; `removed_at IS NULL` means "current".

The tables live in the modules below, one per part of the app; this package gathers them,
so that importing any one of them registers every table on `metadata` (its foreign keys
name the others, and `create_all`, Alembic and `postgresql_partial_indexes` want them all).
"""

from segtui.data.db.tables.audit import AuditEntry
from segtui.data.db.tables.changes import Change
from segtui.data.db.tables.contacts import (
    Company,
    Contact,
    ContactFigures,
    Tag,
    contact_tags,
    phone_key_of,
)
from segtui.data.db.tables.engagement import (
    Campaign,
    EngagementEvent,
    campaign_segments,
)
from segtui.data.db.tables.integration import ApiToken, WebhookDelivery, WebhookSubscription
from segtui.data.db.tables.schema import (
    NAMING,
    BigId,
    Schema,
    metadata,
    name_key,
    postgresql_partial_indexes,
    vocabulary,
)
from segtui.data.db.tables.segments import (
    ContactStays,
    Membership,
    PendingEvaluation,
    Segment,
    SegmentDailySize,
    SegmentExclusion,
    SegmentSize,
    segment_hidden_from,
    segment_tags,
)
from segtui.data.db.tables.users import (
    Activity,
    Note,
    Setting,
    User,
)

__all__ = [
    "NAMING",
    "Activity",
    "ApiToken",
    "AuditEntry",
    "BigId",
    "Campaign",
    "Change",
    "Company",
    "Contact",
    "ContactFigures",
    "ContactStays",
    "EngagementEvent",
    "Membership",
    "Note",
    "PendingEvaluation",
    "Schema",
    "Segment",
    "SegmentDailySize",
    "SegmentExclusion",
    "SegmentSize",
    "Setting",
    "Tag",
    "User",
    "WebhookDelivery",
    "WebhookSubscription",
    "campaign_segments",
    "contact_tags",
    "metadata",
    "name_key",
    "phone_key_of",
    "postgresql_partial_indexes",
    "segment_hidden_from",
    "segment_tags",
    "vocabulary",
]
