"""SQL for choosing contacts: the picker's filters, pages, counts, and selections.

A `ContactSelection` (core/contacts.py) becomes one SQL condition: walking the user's
actions from the newest, the first that mentions a contact decides whether it is selected.
So "select all 100,000 matching" is a WHERE clause, never a list of ids, and adding them to
a segment is one INSERT ... SELECT.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    true,
)

from segtui.core.contacts import (
    SCORE_MAX,
    SCORE_MIN,
    ContactFilter,
    ContactRow,
    ContactSelection,
    SelectAll,
    Toggles,
)
from segtui.core.enums import LeadStatus, MembershipSource
from segtui.core.records import Keyset, Page
from segtui.data.db.keyset import Window, keyed_page, settle, windowed
from segtui.data.db.sql import icontains, is_member, member_ids
from segtui.data.db.tables import Company, Contact, Membership, Tag, contact_tags
from segtui.data.derived.stays import counted_after
from segtui.data.queries import member_page


def _in_segment(segment_id: int) -> ColumnElement[bool]:
    """`id IN (members)`, not a correlated EXISTS: the database then walks the segment's
    members and looks contacts up by key (75 ms for 100,000 members of 1M contacts) instead
    of probing membership for every contact (600 ms), and a small segment costs almost
    nothing."""
    return Contact.id.in_(member_ids(segment_id))


def _not_in_segment(segment_id: int) -> ColumnElement[bool]:
    return ~is_member(segment_id)


def filter_conditions(flt: ContactFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    search = flt.search.strip()
    if search:
        conditions.append(
            or_(
                icontains(Contact.name, search),
                icontains(Contact.email, search),
                Contact.company_id.in_(select(Company.id).where(icontains(Company.name, search))),
            )
        )
    if flt.status is not None:
        conditions.append(Contact.lead_status == flt.status)
    if flt.size is not None:
        sized = select(Company.id).where(Company.size == flt.size)
        conditions.append(Contact.company_id.in_(sized))
    if flt.segment is not None:
        conditions.append(_in_segment(int(flt.segment.key)))
    if flt.city:
        conditions.append(Contact.city == flt.city)
    if flt.state:
        conditions.append(Contact.state == flt.state)
    low, high = flt.score
    if low > SCORE_MIN:
        conditions.append(Contact.quality_score >= low)
    if high < SCORE_MAX:
        conditions.append(Contact.quality_score <= high)
    if flt.not_in_segment is not None:
        conditions.append(_not_in_segment(flt.not_in_segment))
    return conditions


def _matches(flt: ContactFilter) -> ColumnElement[bool]:
    conditions = filter_conditions(flt)
    return and_(*conditions) if conditions else true()


def selected_condition(selection: ContactSelection) -> ColumnElement[bool]:
    """True for contacts the selection holds: the newest action mentioning them decides."""
    whens: list[tuple[ColumnElement[bool], Any]] = []
    for action in reversed(selection.actions):
        if isinstance(action, Toggles):
            on = [cid for cid, state in action.states if state]
            off = [cid for cid, state in action.states if not state]
            if on:
                whens.append((Contact.id.in_(on), 1))
            if off:
                whens.append((Contact.id.in_(off), 0))
        elif isinstance(action, SelectAll):
            whens.append((_matches(action.filter), 1 if action.selected else 0))
    if not whens:
        return false()
    # Only contacts some positive action mentions can be selected: this lets the database
    # use the filters' indexes instead of evaluating the CASE over every contact.
    candidates = [cond for cond, value in whens if value == 1]
    if not candidates:
        return false()
    return and_(or_(*candidates), case(*whens, else_=0) == 1)


def count_contacts(conn: Connection, flt: ContactFilter) -> int:
    query = select(func.count()).select_from(Contact).where(*filter_conditions(flt))
    return int(conn.execute(query).scalar_one())


def count_selected(conn: Connection, selection: ContactSelection) -> int:
    only = selection.single_select_all()
    if only is not None:
        return count_contacts(conn, only)
    query = select(func.count()).select_from(Contact).where(selected_condition(selection))
    return int(conn.execute(query).scalar_one())


def fetch_page(
    conn: Connection,
    flt: ContactFilter,
    selection: ContactSelection,
    *,
    after: Keyset | None = None,
    before: Keyset | None = None,
    at_end: bool = False,
    limit: int = 100,
) -> Page[ContactRow]:
    """One window of matching contacts sorted by name (the index order), with each row's
    selected state computed by the same condition a save would use.

    In two steps, as the dashboard's list: which contacts are on the page (their name and
    id, by keyset), then their columns for just those ids. A segment's member list, with
    no other filter, finds its page by the plan its density calls for
    (data/queries/member_page.py)."""
    window = Window(after=after, before=before, at_end=at_end)
    segment = _only_segment(flt)
    if segment is not None:
        found = member_page.page_keys(conn, segment, window, limit)
    else:
        query = select(Contact.name, Contact.id).where(*filter_conditions(flt))
        query = windowed(query, Contact.name, Contact.id, window, descending=False,
                         limit=limit)
        found = [Keyset(name, contact_id) for name, contact_id in conn.execute(query)]
    keys, has_before, has_after = settle(found, window, limit)
    return keyed_page(keys, _rows_for(conn, [key.id for key in keys], selection),
                      has_before, has_after)


def _only_segment(flt: ContactFilter) -> int | None:
    """The segment of a filter that asks for its members and nothing else."""
    if flt.segment is None or replace(flt, segment=None) != ContactFilter():
        return None
    return int(flt.segment.key)


def _rows_for(conn: Connection, ids: Sequence[int], selection: ContactSelection
              ) -> dict[int, ContactRow]:
    if not ids:
        return {}
    query = select(
        Contact.id,
        Contact.name,
        Contact.title,
        Contact.email,
        Contact.phone,
        Contact.lead_status,
        Contact.city,
        Contact.state,
        Contact.quality_score,
        Contact.last_contacted_at,
        Company.name.label("company"),
        case((selected_condition(selection), 1), else_=0).label("selected"),
    ).outerjoin(Company, Company.id == Contact.company_id).where(Contact.id.in_(ids))
    rows = list(conn.execute(query))
    tags = _tags_for(conn, [r.id for r in rows])
    return {
        r.id: ContactRow(
            id=r.id,
            name=r.name,
            title=r.title or "",
            company=r.company or "",
            email=r.email or "",
            phone=r.phone or "",
            status=LeadStatus(r.lead_status),
            city=r.city or "",
            state=r.state or "",
            tags=tags.get(r.id, ()),
            quality_score=r.quality_score,
            last_contacted_at=r.last_contacted_at,
            selected=bool(r.selected),
        )
        for r in rows
    }


def _tags_for(conn: Connection, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    if not ids:
        return {}
    found: dict[int, list[str]] = defaultdict(list)
    query = (
        select(contact_tags.c.contact_id, Tag.name)
        .join(Tag, Tag.id == contact_tags.c.tag_id)
        .where(contact_tags.c.contact_id.in_(ids))
        .order_by(Tag.name)
    )
    for contact_id, name in conn.execute(query):
        found[contact_id].append(name)
    return {k: tuple(v) for k, v in found.items()}


def add_selected_members(
    conn: Connection,
    segment_id: int,
    selection: ContactSelection,
    *,
    now: datetime,
    actor_id: int | None,
) -> int:
    """Insert a current membership for every selected contact not already a member.
    One INSERT ... SELECT: select-all of 100,000 contacts never passes through Python."""
    chosen = (
        select(
            literal(segment_id),
            Contact.id,
            literal(MembershipSource.MANUAL.value),
            literal(now),
            literal(actor_id),
        )
        .where(selected_condition(selection), _not_in_segment(segment_id))
    )
    statement = insert(Membership).from_select(
        ["segment_id", "contact_id", "source", "added_at", "added_by_id"], chosen
    )
    # psycopg reports -1 rows for INSERT ... SELECT unless the row count is kept explicitly
    # (SQLAlchemy issue #10696). SQLite: the new stays counted for the dashboard's cards in
    # one pass, not by the trigger per row (select-all of 100,000: P10).
    with counted_after(conn):
        result = conn.execute(statement.execution_options(preserve_rowcount=True))
    return max(int(result.rowcount or 0), 0)
