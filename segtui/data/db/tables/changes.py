"""The change log: one row per change a user (or segtui itself) committed, written in the
change's own transaction, so every other segtui on the database can see what changed, by
whom, and reload what it shows (C19.1, live collaboration; data/store/changes.py).

It is short-lived news, not history: rows are pruned as they age (data/writes/changes.py).
No foreign key to `segments`: a deleted segment's deletion is news too.
"""

from datetime import datetime

from sqlalchemy import Column, DateTime, Integer, String
from sqlalchemy.sql.elements import ColumnClause

from segtui.data.db.tables.schema import BigId, Schema


class Change(Schema):
    __tablename__ = "changes"

    id: ColumnClause[int] = Column(BigId, primary_key=True)
    at: ColumnClause[datetime] = Column(DateTime, nullable=False)
    # The Store that wrote it (a random token per Store.open): an app ignores its own.
    origin: ColumnClause[str] = Column(String(32), nullable=False)
    actor: ColumnClause[str | None] = Column(String(100))  # None: segtui itself
    what: ColumnClause[str] = Column(String(50), nullable=False)  # "Note Added", ...
    # The segment it changed; None: contacts or events, which any segment may show.
    segment_id: ColumnClause[int | None] = Column(Integer)
    # The segment's name when the segment is gone (a deletion), else empty.
    detail: ColumnClause[str] = Column(String(200), nullable=False, server_default="")
