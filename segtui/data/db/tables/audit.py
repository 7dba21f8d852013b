"""The audit log (C19.4): who did what, when, to which segment, kept for good.

Append-only, and the database says so: no one can change or delete a row (SQLite: triggers
that refuse; PostgreSQL: a trigger that refuses every role but the table's owner, the
schema's owner). Rows hold ids and actions, never a contact's personal data, so an
erasure (C19.5) leaves nothing of the person here but the fact that it happened.
"""

from datetime import datetime

from sqlalchemy import Column, DateTime, Index, Integer, String, Text, text
from sqlalchemy.sql.elements import ColumnClause

from segtui.data.db.tables.schema import BigId, Schema


class AuditEntry(Schema):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),
                      Index("ix_audit_log_actor_at", "actor", "at"),
                      Index("ix_audit_log_segment_at", "segment_id", "at"))

    id: ColumnClause[int] = Column(BigId, primary_key=True)
    at: ColumnClause[datetime] = Column(DateTime, nullable=False)
    actor: ColumnClause[str | None] = Column(String(100))  # None: segtui itself
    action: ColumnClause[str] = Column(String(50), nullable=False)  # core/audit.Action
    # The segment it concerned, if one; no foreign key: a deleted segment's history stays.
    segment_id: ColumnClause[int | None] = Column(Integer)
    # What else it concerned, without personal data: "contact 123", a file's name.
    subject: ColumnClause[str] = Column(String(300), nullable=False, server_default=text("''"))
    details: ColumnClause[str] = Column(Text, nullable=False, server_default=text("''"))


# An INSERT needs no id back, and on PostgreSQL `INSERT ... RETURNING` needs SELECT on the
# table, which only administrators hold on this one (C19.2: who looked at what is theirs
# to read); everyone else may only add a row.
AuditEntry.__table__.implicit_returning = False
