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
"""

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, TypeVar, cast

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ColumnElement,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    literal_column,
    text,
)
from sqlalchemy.sql.elements import ColumnClause
from sqlalchemy.types import TypeEngine

from segtui.core.contact_keys import PHONE_PUNCTUATION
from segtui.core.enums import (
    CampaignStatus,
    CompanySize,
    EventType,
    LeadStatus,
    LifecycleStage,
    MembershipSource,
    SegmentKind,
    SegmentStatus,
    SourceChannel,
    UserRole,
)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Event ids reach 10M+ on the reference dataset: BIGINT on PostgreSQL, INTEGER (the rowid
# alias, already 64-bit) on SQLite so autoincrement works there.
BigId = BigInteger().with_variant(Integer, "sqlite")


def name_key(value: str) -> str:
    """The case-insensitive identity of a name: trimmed and case-folded."""
    return value.strip().casefold()


E = TypeVar("E", bound=StrEnum)


def vocabulary(enum: type[E], name: str) -> TypeEngine[E]:
    """A closed vocabulary column: stores the value text, checked by a CHECK constraint.
    Typed as its enum, which is what a read returns."""
    return cast("TypeEngine[E]", Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=max(len(m.value) for m in enum),
        values_callable=lambda e: [m.value for m in e],
    ))


metadata = MetaData(naming_convention=NAMING)


class Schema:
    """A table's class: its columns are its attributes, named by them, in their order.

    Each is annotated `ColumnClause[T]`, T the Python type a read returns: SQLAlchemy 2.1
    types a `Column` read from a class as `Never` (that spelling is the ORM's), and a
    ColumnClause is all a query needs of it."""

    __tablename__: ClassVar[str]
    __table_args__: ClassVar[tuple[Any, ...]] = ()
    __table__: ClassVar[Table]

    def __init_subclass__(cls) -> None:
        columns: list[Column[Any]] = []
        for name, value in vars(cls).items():
            if isinstance(value, Column):
                value.name = value.key = name
                columns.append(value)
        cls.__table__ = Table(cls.__tablename__, metadata, *columns, *cls.__table_args__)

    @classmethod
    def __clause_element__(cls) -> Table:
        """What SQLAlchemy uses where it is given the class: its table."""
        return cls.__table__


segment_tags = Table(
    "segment_tags",
    metadata,
    Column("segment_id", ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)

contact_tags = Table(
    "contact_tags",
    metadata,
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)

campaign_segments = Table(
    "campaign_segments",
    metadata,
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "segment_id", ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class User(Schema):
    __tablename__ = "users"

    id: ColumnClause[int] = Column(Integer, primary_key=True)
    name: ColumnClause[str] = Column(String(100), nullable=False)
    name_key: ColumnClause[str] = Column(String(100), unique=True, nullable=False)
    role: ColumnClause[UserRole] = Column(vocabulary(UserRole, "user_role"), nullable=False)


class Tag(Schema):
    __tablename__ = "tags"

    id: ColumnClause[int] = Column(Integer, primary_key=True)
    name: ColumnClause[str] = Column(String(50), nullable=False)
    name_key: ColumnClause[str] = Column(String(50), unique=True, nullable=False)


class Company(Schema):
    __tablename__ = "companies"

    id: ColumnClause[int] = Column(Integer, primary_key=True)
    name: ColumnClause[str] = Column(String(200), index=True, nullable=False)
    size: ColumnClause[CompanySize | None] = Column(vocabulary(CompanySize, "company_size"))
    industry: ColumnClause[str | None] = Column(String(100))


class Contact(Schema):
    __tablename__ = "contacts"
    __table_args__ = (
        CheckConstraint("quality_score BETWEEN 0 AND 100", name="quality_score_range"),
        # One contact per email (I16.1): the key is the email trimmed and case-folded
        # (core/contact_keys.py), NULL for no email. Imports merge through it with
        # INSERT ... ON CONFLICT, so concurrent imports can't duplicate a contact.
        # Partial: contacts without one (most have no external id) cost the index nothing.
        Index("uq_contacts_email_key", "email_key", unique=True,
              sqlite_where=text("email_key IS NOT NULL")),
        # The id a contact has in the system a file came from (I16.16): one contact
        # each, so `--match external-id` is held by the database like the email.
        Index("uq_contacts_external_id", "external_id", unique=True,
              sqlite_where=text("external_id IS NOT NULL")),
        # Contacts written without their email key (only another program writing the
        # tables does that): the only ones that can share an email with another contact
        # (data/queries/shared_emails.py, P7). Empty when segtui writes everything.
        Index("ix_contacts_keyless_email", "email",
              sqlite_where=text("email_key IS NULL AND email IS NOT NULL")),
        # The AI Insights lookalikes (P7): contacts at or above a quality score,
        # of a status and at a company, counted from the index alone, and the best
        # ones found by walking it from the top score down.
        Index("ix_contacts_score_status_company", "quality_score", "lead_status",
              "company_id"),
        # The order of every contact list (name, ties by id): a member list's page walks
        # it from the page's edge and checks membership per contact (data/queries/member_page.py,
        # P5). The id makes it the whole sort key, so PostgreSQL reads a page's keys
        # from the index alone; SQLite's index holds the id (its rowid) either way.
        Index("ix_contacts_name", "name", "id"),
    )

    id: ColumnClause[int] = Column(Integer, primary_key=True)
    name: ColumnClause[str] = Column(String(200), nullable=False)
    email: ColumnClause[str | None] = Column(String(320), index=True)
    # Kept by models.Contact for ORM objects; Core writers (importer, merge, demo) set it.
    email_key: ColumnClause[str | None] = Column(String(320))
    external_id: ColumnClause[str | None] = Column(String(100))
    phone: ColumnClause[str | None] = Column(String(50))
    title: ColumnClause[str | None] = Column(String(200))
    company_id: ColumnClause[int | None] = Column(
        Integer, ForeignKey("companies.id", ondelete="SET NULL"), index=True
    )
    lead_status: ColumnClause[LeadStatus] = Column(
        vocabulary(LeadStatus, "lead_status"), nullable=False
    )
    lifecycle_stage: ColumnClause[LifecycleStage | None] = Column(
        vocabulary(LifecycleStage, "lifecycle_stage")
    )
    source: ColumnClause[SourceChannel | None] = Column(vocabulary(SourceChannel, "source"))
    city: ColumnClause[str | None] = Column(String(100), index=True)
    state: ColumnClause[str | None] = Column(String(100), index=True)
    country: ColumnClause[str | None] = Column(String(100))
    region: ColumnClause[str | None] = Column(String(50))
    quality_score: ColumnClause[int] = Column(Integer, server_default=text("50"), nullable=False)
    created_at: ColumnClause[datetime] = Column(DateTime, nullable=False)
    last_contacted_at: ColumnClause[datetime | None] = Column(DateTime)
    version: ColumnClause[int] = Column(Integer, server_default=text("1"), nullable=False)
    # Rollups of the contact's events, kept exact by triggers (data/derived/rollups.py, D1.1.7):
    # the rule fields Total Spent, Purchase Count and Last Activity at a million contacts,
    # and the newest engagement the detail screen's Engagement Rate counts from (R7.5.3).
    spent_cents: ColumnClause[int] = Column(BigInteger, server_default=text("0"), nullable=False)
    purchases: ColumnClause[int] = Column(Integer, server_default=text("0"), nullable=False)
    last_activity_at: ColumnClause[datetime | None] = Column(DateTime)
    last_engaged_at: ColumnClause[datetime | None] = Column(DateTime)
    # How many of the Quality Score's five fields the contact has filled, kept by triggers
    # on this table (data/derived/completeness.py, R7.5.5).
    filled_fields: ColumnClause[int] = Column(Integer, server_default=text("0"), nullable=False)


class ContactFigures(Schema):
    """A narrow copy of the contact columns the detail screen sums over a segment's members
    (the cards, the Performance tab's member totals), one row per contact, kept equal to
    `contacts` by triggers in the statement that writes the contact, deletes included
    (data/derived/figures.py, P6). A pass over 101,291 members reads this 70 MB table
    instead of the 280 MB one, which PostgreSQL's default 128 MB of shared buffers can't
    hold."""

    __tablename__ = "contact_figures"

    contact_id: ColumnClause[int] = Column(Integer, primary_key=True, autoincrement=False)
    quality_score: ColumnClause[int] = Column(Integer, nullable=False)
    filled_fields: ColumnClause[int] = Column(Integer, nullable=False)
    purchases: ColumnClause[int] = Column(Integer, nullable=False)
    spent_cents: ColumnClause[int] = Column(BigInteger, nullable=False)
    last_activity_at: ColumnClause[datetime | None] = Column(DateTime)
    last_engaged_at: ColumnClause[datetime | None] = Column(DateTime)


def phone_key_of(phone: ColumnElement[str | None]) -> ColumnElement[str | None]:
    """The phone without punctuation in SQL, as core/contact_keys.py's `phone_key`: one
    replace() per character, the same on both engines, written with literals so a query
    states exactly the expression the index holds (PostgreSQL and SQLite use an
    expression index only for the identical expression)."""
    key = phone
    for ch in PHONE_PUNCTUATION:
        key = func.replace(key, literal_column(f"'{ch}'"), literal_column("''"))
    return key


# `--match phone` (I16.16) looks contacts up by their phone's key.
Index("ix_contacts_phone_key", phone_key_of(Contact.phone))


class Segment(Schema):
    __tablename__ = "segments"

    id: ColumnClause[int] = Column(Integer, primary_key=True)
    name: ColumnClause[str] = Column(String(100), nullable=False)
    name_key: ColumnClause[str] = Column(String(100), unique=True, nullable=False)
    description: ColumnClause[str] = Column(String(500), server_default=text("''"), nullable=False)
    status: ColumnClause[SegmentStatus] = Column(
        vocabulary(SegmentStatus, "segment_status"), index=True, nullable=False
    )
    owner_id: ColumnClause[int | None] = Column(
        Integer, ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: ColumnClause[datetime] = Column(DateTime, nullable=False)
    updated_at: ColumnClause[datetime] = Column(DateTime, index=True, nullable=False)
    version: ColumnClause[int] = Column(Integer, server_default=text("1"), nullable=False)
    # Dynamic segments (D1): the rule as versioned JSON (core/rules/tree.py), and when and
    # how fast its memberships were last brought up to date.
    kind: ColumnClause[SegmentKind] = Column(
        vocabulary(SegmentKind, "segment_kind"), server_default=text("'Static'"), nullable=False
    )
    rule: ColumnClause[str | None] = Column(Text)
    evaluated_at: ColumnClause[datetime | None] = Column(DateTime)
    evaluation_ms: ColumnClause[int | None] = Column(Integer)


class Membership(Schema):
    """One stay of a contact in a segment. Current when `removed_at` is NULL."""

    __tablename__ = "memberships"
    __table_args__ = (
        # At most one current stay per (segment, contact); past stays are history.
        Index(
            "uq_memberships_current",
            "segment_id",
            "contact_id",
            unique=True,
            sqlite_where=text("removed_at IS NULL"),
        ),
        # Covering index for "members of a segment" and per-segment counts.
        Index("ix_memberships_segment", "segment_id", "removed_at", "contact_id"),
        # Covering index for "segments of a contact" and distinct-member counts.
        Index("ix_memberships_contact", "contact_id", "removed_at", "segment_id"),
    )

    id: ColumnClause[int] = Column(BigId, primary_key=True)
    segment_id: ColumnClause[int] = Column(
        Integer, ForeignKey("segments.id", ondelete="CASCADE"), nullable=False
    )
    contact_id: ColumnClause[int] = Column(
        Integer, ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False
    )
    source: ColumnClause[MembershipSource] = Column(
        vocabulary(MembershipSource, "membership_source"), nullable=False
    )
    added_at: ColumnClause[datetime] = Column(DateTime, nullable=False)
    added_by_id: ColumnClause[int | None] = Column(
        Integer, ForeignKey("users.id", ondelete="SET NULL")
    )
    removed_at: ColumnClause[datetime | None] = Column(DateTime)
    removed_by_id: ColumnClause[int | None] = Column(
        Integer, ForeignKey("users.id", ondelete="SET NULL")
    )


class SegmentExclusion(Schema):
    """A contact kept out of a dynamic segment by hand, whatever its rule says. (Kept in
    by hand is a current membership with source 'manual', which a refresh never removes.)"""

    __tablename__ = "segment_exclusions"

    segment_id: ColumnClause[int] = Column(
        Integer, ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: ColumnClause[int] = Column(
        Integer, ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: ColumnClause[datetime] = Column(DateTime, nullable=False)
    created_by_id: ColumnClause[int | None] = Column(
        Integer, ForeignKey("users.id", ondelete="SET NULL")
    )


class Campaign(Schema):
    __tablename__ = "campaigns"

    id: ColumnClause[int] = Column(Integer, primary_key=True)
    name: ColumnClause[str] = Column(String(200), nullable=False)
    status: ColumnClause[CampaignStatus] = Column(
        vocabulary(CampaignStatus, "campaign_status"), nullable=False
    )
    created_at: ColumnClause[datetime] = Column(DateTime, nullable=False)
    version: ColumnClause[int] = Column(Integer, server_default=text("1"), nullable=False)


class EngagementEvent(Schema):
    """A fact: a contact did something (optionally within a campaign) at a time."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_contact", "contact_id", "type", "occurred_at"),
        Index("ix_events_campaign", "campaign_id", "type", "contact_id"),
        # Covering index for "contacts who did X within a window" (rules, metrics): a
        # range scan that never reads the events table itself. With the campaign too, the
        # Performance tab's sends of a window (P7): 690,000 heap rows read through a
        # lossy bitmap on PostgreSQL at a million contacts (0.9-1.9 s) became an index range.
        Index("ix_events_type_time_contact", "type", "occurred_at", "contact_id",
              "campaign_id"),
        # Covering index for "contacts who ever did X" over the whole base (the detail
        # screen's "vs all contacts" conversion baseline): a range scan, no table lookups.
        Index("ix_events_type_contact", "type", "contact_id"),
        # The conversions of a time window with their revenue, from the index alone (the
        # Performance tab's last two 30-day windows, P5): PostgreSQL read the
        # revenue of 32,869 conversions from 25,000 pages of the table at a million
        # contacts (120 ms of CPU, 20 from this index). Partial: only a conversion (2% of
        # the events) writes to it. A query uses it where it names the type as a literal
        # (segment_analytics.CONVERTED).
        Index("ix_events_conversions", "occurred_at", "contact_id", "revenue_cents",
              sqlite_where=text("type = 'converted'")),
        CheckConstraint("revenue_cents >= 0", name="revenue_not_negative"),
    )

    id: ColumnClause[int] = Column(BigId, primary_key=True)
    contact_id: ColumnClause[int] = Column(
        Integer, ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False
    )
    campaign_id: ColumnClause[int | None] = Column(
        Integer, ForeignKey("campaigns.id", ondelete="SET NULL")
    )
    type: ColumnClause[EventType] = Column(vocabulary(EventType, "event_type"), nullable=False)
    occurred_at: ColumnClause[datetime] = Column(DateTime, nullable=False)
    revenue_cents: ColumnClause[int | None] = Column(BigInteger)


class Activity(Schema):
    """A line of a segment's activity timeline (R7.9)."""

    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_segment_time", "segment_id", "created_at"),)

    id: ColumnClause[int] = Column(Integer, primary_key=True)
    segment_id: ColumnClause[int] = Column(
        Integer, ForeignKey("segments.id", ondelete="CASCADE"), nullable=False
    )
    type: ColumnClause[str] = Column(String(50), nullable=False)
    description: ColumnClause[str] = Column(String(500), nullable=False)
    details: ColumnClause[str] = Column(Text, server_default=text("''"), nullable=False)
    performer_id: ColumnClause[int | None] = Column(
        Integer, ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: ColumnClause[datetime] = Column(DateTime, nullable=False)
    edited_at: ColumnClause[datetime | None] = Column(DateTime)
    version: ColumnClause[int] = Column(Integer, server_default=text("1"), nullable=False)


class Note(Schema):
    """A note on a segment (R7.10)."""

    __tablename__ = "notes"
    __table_args__ = (Index("ix_notes_segment_time", "segment_id", "created_at"),)

    id: ColumnClause[int] = Column(Integer, primary_key=True)
    segment_id: ColumnClause[int] = Column(
        Integer, ForeignKey("segments.id", ondelete="CASCADE"), nullable=False
    )
    body: ColumnClause[str] = Column(Text, nullable=False)
    author_id: ColumnClause[int | None] = Column(
        Integer, ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: ColumnClause[datetime] = Column(DateTime, nullable=False)


class PendingEvaluation(Schema):
    """A re-evaluation owed to the dynamic segments, written in the same transaction as the
    change that makes it due (I16.4), and deleted in the transaction that does it:
    a process killed in between leaves the to-do behind for the next one to finish.

    A row names a contact (re-evaluate every dynamic segment for it: an import or a merge
    changed it or its events) or a segment (re-evaluate it whole: too many contacts changed
    to go one by one). No foreign key to contacts: a contact merged away since needs
    nothing, and an import's contacts may be re-keyed; a segment's rows go with it."""

    __tablename__ = "pending_evaluations"

    id: ColumnClause[int] = Column(BigId, primary_key=True)
    contact_id: ColumnClause[int | None] = Column(Integer)
    segment_id: ColumnClause[int | None] = Column(
        Integer, ForeignKey("segments.id", ondelete="CASCADE"), index=True
    )
    created_at: ColumnClause[datetime] = Column(DateTime, nullable=False)


class Setting(Schema):
    """Small key/value facts about the database itself (e.g. the demo's reference date)."""

    __tablename__ = "settings"

    key: ColumnClause[str] = Column(String(100), primary_key=True)
    value: ColumnClause[str] = Column(String(1000), nullable=False)


def postgresql_partial_indexes() -> None:
    """Give every partial index above its WHERE on PostgreSQL too.

    The classes name it for SQLite alone because naming a `postgresql_*` option makes
    SQLAlchemy import its PostgreSQL dialect with all five of its drivers, which every
    SQLite command, a scripted read included, would wait for (P12). The WHERE is
    the same on both engines. Called when a PostgreSQL engine is made; idempotent."""
    for table in metadata.tables.values():
        for index in table.indexes:
            where = index.dialect_options["sqlite"]["where"]
            if where is not None:
                index.dialect_kwargs["postgresql_where"] = where
