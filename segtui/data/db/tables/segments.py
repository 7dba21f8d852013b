"""The segments' tables: segments, their tags, the memberships that keep every stay of a
contact in one, the contacts kept out by hand, and the re-evaluations owed to them."""

from datetime import date, datetime

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.sql.elements import ColumnClause

from segtui.core.enums import MembershipSource, SegmentKind, SegmentStatus, Visibility
from segtui.data.db.tables.schema import BigId, Schema, metadata, vocabulary

segment_tags = Table(
    "segment_tags",
    metadata,
    Column("segment_id", ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


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
    # C20.7.2: why its last evaluation failed, and when; NULL since one succeeded.
    evaluation_error: ColumnClause[str | None] = Column(Text)
    evaluation_failed_at: ColumnClause[datetime | None] = Column(DateTime)
    # C19.3.2: who sees it; C19.4: archived (set aside, unused) when not NULL.
    visibility: ColumnClause[Visibility] = Column(
        vocabulary(Visibility, "segment_visibility"), server_default=text("'Everyone'"),
        nullable=False)
    archived_at: ColumnClause[datetime | None] = Column(DateTime)


segment_hidden_from = Table(
    "segment_hidden_from",
    metadata,
    # C19.3.2 (User.com): users a segment is hidden from, whatever its visibility.
    Column("segment_id", ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


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
        # What a stay names. Foreign keys on SQLite; on PostgreSQL the same promises are
        # kept by triggers that check a statement's rows at once (data/db/member_keys.py:
        # the keys' checks were half of a refresh's INSERTs there).
        *(ForeignKeyConstraint([column], [target], ondelete=ondelete).ddl_if(dialect="sqlite")
          for column, target, ondelete in (
              ("segment_id", "segments.id", "CASCADE"), ("contact_id", "contacts.id", "CASCADE"),
              ("added_by_id", "users.id", "SET NULL"), ("removed_by_id", "users.id", "SET NULL"))),
    )

    id: ColumnClause[int] = Column(BigId, primary_key=True)
    segment_id: ColumnClause[int] = Column(Integer, nullable=False)
    contact_id: ColumnClause[int] = Column(Integer, nullable=False)
    source: ColumnClause[MembershipSource] = Column(
        vocabulary(MembershipSource, "membership_source"), nullable=False
    )
    added_at: ColumnClause[datetime] = Column(DateTime, nullable=False)
    added_by_id: ColumnClause[int | None] = Column(Integer)
    removed_at: ColumnClause[datetime | None] = Column(DateTime)
    removed_by_id: ColumnClause[int | None] = Column(Integer)
    # Why the stay began and ended (core.history.Why, C20.1.1); empty: as `source` says,
    # and for the end, a rule's when nobody ended it (core.history.why_entered/why_left).
    added_why: ColumnClause[str | None] = Column(String(12))
    left_why: ColumnClause[str | None] = Column(String(12))


class SegmentDailySize(Schema):
    """A segment at the end of a closed day (C20.1.3): its members and who entered and
    left that day, filled from the stays (data/derived/daily_sizes.py) and kept when old
    stays are pruned, so a long range reads one row a day."""

    __tablename__ = "segment_daily_sizes"

    segment_id: ColumnClause[int] = Column(
        Integer, ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True
    )
    day: ColumnClause[date] = Column(Date, primary_key=True)
    members: ColumnClause[int] = Column(Integer, nullable=False)
    entered: ColumnClause[int] = Column(Integer, nullable=False)
    left: ColumnClause[int] = Column(Integer, nullable=False)


class ContactStays(Schema):
    """How many current stays each contact has, one row per contact in at least one
    segment (none for a contact in none), kept by triggers on `memberships` in the
    statement that writes them (data/derived/stays.py, P2): the dashboard's cards count the
    contacts in segments and the memberships from its 833,000 narrow rows at a million
    contacts instead of walking 1.78 million stays. No foreign key: a cascade from a
    deleted contact ends its stays, whose trigger takes its row away."""

    __tablename__ = "contact_stays"

    contact_id: ColumnClause[int] = Column(Integer, primary_key=True, autoincrement=False)
    stays: ColumnClause[int] = Column(Integer, nullable=False)


class SegmentSize(Schema):
    """How many current members each segment has: the sum of its rows (none for an empty
    segment; one on SQLite; on PostgreSQL one, plus one per transaction changing it at
    that moment), kept by triggers on `memberships` in the statement that writes them
    (data/derived/stays.py, SegmentSizes): a segment's count is a row or two, not a walk
    of its stays. No foreign key, as `contact_stays`: a deleted segment's cascade ends its
    stays, whose trigger takes its rows away."""

    __tablename__ = "segment_sizes"
    # Covering: a segment's count is read from the index alone.
    __table_args__ = (Index("ix_segment_sizes_segment", "segment_id", "members"),)

    id: ColumnClause[int] = Column(BigId, primary_key=True)
    segment_id: ColumnClause[int] = Column(Integer, nullable=False)
    members: ColumnClause[int] = Column(Integer, nullable=False)


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
