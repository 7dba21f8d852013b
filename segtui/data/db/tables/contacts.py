"""The contacts' tables: contacts, their companies and tags, and the narrow copy of the
contact columns the detail screen sums over."""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ColumnElement,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    false,
    func,
    literal_column,
    text,
)
from sqlalchemy.sql.elements import ColumnClause

from segtui.core.contact_keys import PHONE_PUNCTUATION
from segtui.core.enums import CompanySize, LeadStatus, LifecycleStage, SourceChannel
from segtui.data.db.tables.schema import Schema, metadata, vocabulary

contact_tags = Table(
    "contact_tags",
    metadata,
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(Schema):
    __tablename__ = "tags"

    id: ColumnClause[int] = Column(Integer, primary_key=True)
    name: ColumnClause[str] = Column(String(50), nullable=False)
    name_key: ColumnClause[str] = Column(String(50), unique=True, nullable=False)


class Company(Schema):
    __tablename__ = "companies"

    id: ColumnClause[int] = Column(Integer, primary_key=True)
    name: ColumnClause[str] = Column(String(200), nullable=False)
    size: ColumnClause[CompanySize | None] = Column(vocabulary(CompanySize, "company_size"))
    industry: ColumnClause[str | None] = Column(String(100))
    # Whether the name holds a character beyond ASCII, kept by triggers
    # (data/derived/plain_text.py, P8), in the name's index: `company contains "retail"`
    # scans it and asks Python's case folding only about the names it flags.
    non_ascii_name: ColumnClause[bool] = Column(Boolean, server_default=false(),
                                                nullable=False)

    __table_args__ = (
        Index("ix_companies_name", "name", "non_ascii_name"),
        # An import finds the companies its rows name by their lower-case name
        # (data/io/import_lookups.py; migration 0029). PostgreSQL folds in the "C"
        # collation: ASCII letters only, as SQLite's lower(), whatever the locale.
        Index("ix_companies_lower_name", text("lower(name)")).ddl_if(dialect="sqlite"),
        Index("ix_companies_lower_name", text('lower((name)::text COLLATE "C")')
              ).ddl_if(dialect="postgresql"),
    )


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
        # A rule that starts from a status (`status in ("Hot Lead", Qualified) and (score
        # > 70 or ...) and (city in (...) or size = Enterprise) and opened within 30d >= 1`)
        # read from the index alone on PostgreSQL: the status's contacts, their score,
        # company and city for the rest of the rule, and the id to join the opens. Without
        # it the live count read all 279 MB of this table through 128 MB of shared buffers
        # (347 ms at 1M; docs/benchmarks.md, 2026-12-07). PostgreSQL only: SQLite starts
        # such a rule from the list of contacts who opened (migration 0027).
        Index("ix_contacts_status_rules", "lead_status", "quality_score", "company_id",
              "city", "id").ddl_if(dialect="postgresql"),
        # The order of every contact list (name, ties by id): a member list's page walks
        # it from the page's edge and checks membership per contact (data/queries/member_page.py,
        # P5). The id makes it the whole sort key, so PostgreSQL reads a page's keys
        # from the index alone; SQLite's index holds the id (its rowid) either way.
        # The flag `non_ascii_text` (data/derived/plain_text.py, P8) rides along: a text rule
        # scanning this index (`name contains "smith"`) reads from the index alone which
        # contacts SQLite's own case folding can't answer for.
        Index("ix_contacts_name", "name", "id", "non_ascii_text"),
        # The same for a rule on the email that scans it (`email not contains "smith"`).
        Index("ix_contacts_email", "email", "non_ascii_text"),
    )

    id: ColumnClause[int] = Column(Integer, primary_key=True)
    name: ColumnClause[str] = Column(String(200), nullable=False)
    email: ColumnClause[str | None] = Column(String(320))
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
    # Whether any of the text a rule scans (name, email, title, country, region) holds a
    # character beyond ASCII, kept by triggers on this table
    # (data/derived/plain_text.py, P8): SQLite's own case folding is exact for the rest.
    non_ascii_text: ColumnClause[bool] = Column(Boolean, server_default=false(),
                                                nullable=False)


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
