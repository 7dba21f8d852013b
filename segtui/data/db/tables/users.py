"""The users' tables: the users, what they write on a segment (its activity timeline and
notes), and the settings of the database itself."""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
    true,
)
from sqlalchemy.sql.elements import ColumnClause

from segtui.core.enums import UserRole
from segtui.data.db.tables.schema import Schema, vocabulary


class User(Schema):
    __tablename__ = "users"
    __table_args__ = (Index("uq_users_login", "login", unique=True),)

    id: ColumnClause[int] = Column(Integer, primary_key=True)
    name: ColumnClause[str] = Column(String(100), nullable=False)
    name_key: ColumnClause[str] = Column(String(100), unique=True, nullable=False)
    role: ColumnClause[UserRole] = Column(vocabulary(UserRole, "user_role"), nullable=False)
    # C19.2: the PostgreSQL login this user signs in as (None: a name only, as on SQLite).
    login: ColumnClause[str | None] = Column(String(63))
    # C19.3: a deactivated user may not act; their segments stay, to be handed over.
    active: ColumnClause[bool] = Column(Boolean, server_default=true(), nullable=False)
    last_seen_at: ColumnClause[datetime | None] = Column(DateTime)
    team: ColumnClause[str | None] = Column(String(100))  # C19.3.2 "owner's team"


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


class Setting(Schema):
    """Small key/value facts about the database itself (e.g. the demo's reference date)."""

    __tablename__ = "settings"

    key: ColumnClause[str] = Column(String(100), primary_key=True)
    value: ColumnClause[str] = Column(String(1000), nullable=False)
