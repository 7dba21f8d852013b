"""Values the dashboard filters can take, searched by what the user types."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from segtui.core.permissions import CurrentUser
from segtui.core.records import Choice, ChoiceKind
from segtui.data.db.sql import icontains
from segtui.data.db.tables import Company, Contact, Segment
from segtui.data.queries.visibility import visible_to


def search_choices(conn: Connection, kind: ChoiceKind, text: str, limit: int,
                   viewer: CurrentUser | None = None) -> list[Choice]:
    """Up to `limit` values of `kind` containing `text`, alphabetically; segments: those
    `viewer` sees (C19.3.2)."""
    text = text.strip()
    named = {ChoiceKind.COMPANY: (Company.id, Company.name),
             ChoiceKind.SEGMENT: (Segment.id, Segment.name)}
    if kind in named:
        key, label = named[kind]
        rows = select(key, label)
        if text:
            rows = rows.where(icontains(label, text))
        if kind is ChoiceKind.SEGMENT:
            rows = rows.where(visible_to(viewer))
        rows = rows.order_by(func.lower(label), key).limit(limit)
        return [Choice(key=str(r[0]), label=r[1]) for r in conn.execute(rows)]
    column = Contact.city if kind is ChoiceKind.CITY else Contact.state
    values = select(column.label("value")).where(column.is_not(None), column != "")
    if text:
        values = values.where(icontains(column, text))
    query = values.group_by(column).order_by(func.lower(column), column).limit(limit)
    return [Choice(key=r.value, label=r.value) for r in conn.execute(query)]
