"""SQL for the dashboard's segment list: filters, search, sort, keyset pages, counts.

The list is never loaded whole. A page is fetched in two steps: (1) the ids and sort values
of one window, by keyset pagination over the filtered, sorted segments; (2) the display
columns (member and campaign counts) for just those ids. Sorting by a count needs the count
of every filtered segment in step 1; the covering index ix_memberships_segment keeps that an
index-only scan.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    exists,
    false,
    func,
    or_,
    select,
    tuple_,
)

from segtui.core import clock
from segtui.core.enums import SegmentStatus
from segtui.core.records import (
    Keyset,
    Page,
    SegmentFilter,
    SegmentRow,
    SegmentSort,
    SegmentSortColumn,
)
from segtui.data.db.keyset import Window, keyed_page, settle, windowed
from segtui.data.db.sql import current_membership, icontains, segment_size
from segtui.data.db.tables import (
    Company,
    Contact,
    Membership,
    Segment,
    Tag,
    campaign_segments,
    segment_tags,
)
from segtui.data.queries.visibility import visible_to

if TYPE_CHECKING:
    from segtui.core.permissions import CurrentUser
    from segtui.core.rules.tree import Node


def member_count() -> ColumnElement[int]:
    """Current members of the segment in the enclosing query (correlated; kept, not
    counted: `sql.segment_size`)."""
    return segment_size(Segment.id)


def campaign_count() -> ColumnElement[int]:
    """Campaigns (any status) that use the segment in the enclosing query (correlated)."""
    return (
        select(func.count())
        .select_from(campaign_segments)
        .where(campaign_segments.c.segment_id == Segment.id)
        .scalar_subquery()
    )


# Above this many companies matching the search, "a member's company matches" is checked
# per segment (stopping at the first matching member) instead of from the companies side.
# Measured crossover on the reference dataset: docs/dashboard.md.
COMPANY_IDS_LIMIT = 1000


def listed(flt: SegmentFilter) -> ColumnElement[bool]:
    """The segments the list and its count show before any other filter: not the
    archived ones, or only those when the filter asks for them (C19.4.6)."""
    return Segment.archived_at.is_not(None) if flt.archived else Segment.archived_at.is_(None)


def filter_conditions(conn: Connection, flt: SegmentFilter, viewer: CurrentUser | None
                      ) -> list[ColumnElement[bool]]:
    """The list's WHERE: the segments `viewer` sees (C19.3.2), archived or not as `flt`
    asks (C19.4.6), that match `flt`."""
    conditions: list[ColumnElement[bool]] = [visible_to(viewer), listed(flt)]
    if flt.status is not None:
        conditions.append(Segment.status == flt.status)
    search = flt.search.strip()
    if search:
        conditions.append(_search_condition(conn, search))
    if flt.has_member_filter:
        conditions.append(_member_condition(flt))
    if flt.rule is not None:
        from segtui.data.rules.compiler import compile_rule  # the app's rule filter only

        matching = select(Contact.id).where(compile_rule(flt.rule, clock.today()))
        conditions.append(Segment.id.in_(
            select(Membership.segment_id).where(current_membership(),
                                                Membership.contact_id.in_(matching))))
    return conditions


def _search_condition(conn: Connection, search: str) -> ColumnElement[bool]:
    """R7.1: search matches segment name, tags, and the company of member contacts."""
    tag_match = exists(
        select(1)
        .select_from(segment_tags.join(Tag, Tag.id == segment_tags.c.tag_id))
        .where(segment_tags.c.segment_id == Segment.id, icontains(Tag.name, search))
    )
    return or_(icontains(Segment.name, search), tag_match, _company_match(conn, search))


def _company_match(conn: Connection, search: str) -> ColumnElement[bool]:
    """Segments with a current member whose company name contains `search`.

    No single query shape is fast for every search term, so the matching companies are
    looked up first (the companies table is small) and the shape follows from their number:
    - few: walk from those companies to their contacts to the segments they are in;
    - many (a broad term like "a"): check each segment's members, stopping at the first
      match, which for a broad term comes after a handful of rows.
    """
    company_ids = list(
        conn.execute(
            select(Company.id).where(icontains(Company.name, search)).limit(COMPANY_IDS_LIMIT + 1)
        ).scalars()
    )
    if not company_ids:
        return false()
    if len(company_ids) <= COMPANY_IDS_LIMIT:
        contacts = select(Contact.id).where(Contact.company_id.in_(company_ids))
        return Segment.id.in_(
            select(Membership.segment_id).where(
                current_membership(), Membership.contact_id.in_(contacts)
            )
        )
    return exists(
        select(1)
        .select_from(Membership)
        .join(Contact, Contact.id == Membership.contact_id)
        .join(Company, Company.id == Contact.company_id)
        .where(
            Membership.segment_id == Segment.id,
            current_membership(),
            icontains(Company.name, search),
        )
    )


def _member_condition(flt: SegmentFilter) -> ColumnElement[bool]:
    """Segments with at least one current member matching every member filter at once."""
    member = select(Membership.segment_id).join(Contact, Contact.id == Membership.contact_id)
    member = member.where(current_membership())
    if flt.city:
        member = member.where(Contact.city == flt.city)
    if flt.state:
        member = member.where(Contact.state == flt.state)
    if flt.company is not None:
        member = member.where(Contact.company_id == int(flt.company.key))
    return Segment.id.in_(member)


def _sort_expression(column: SegmentSortColumn) -> ColumnElement[Any]:
    match column:
        case SegmentSortColumn.NAME:
            return func.lower(Segment.name)
        case SegmentSortColumn.DESCRIPTION:
            return func.lower(Segment.description)
        case SegmentSortColumn.STATUS:
            return Segment.status
        case SegmentSortColumn.CONTACTS:
            return member_count()
        case SegmentSortColumn.CAMPAIGNS:
            return campaign_count()
        case SegmentSortColumn.LAST_MODIFIED:
            return Segment.updated_at


def count_segments(conn: Connection, flt: SegmentFilter, viewer: CurrentUser | None) -> int:
    query = select(func.count()).select_from(Segment).where(
        *filter_conditions(conn, flt, viewer))
    return int(conn.execute(query).scalar_one())


def fetch_page(
    conn: Connection,
    flt: SegmentFilter,
    sort: SegmentSort,
    viewer: CurrentUser | None,
    *,
    after: Keyset | None = None,
    before: Keyset | None = None,
    at_end: bool = False,
    starting_at: int | None = None,
    limit: int = 200,
) -> Page[SegmentRow]:
    """One window of the sorted, filtered list: the first, the one after `after`, the one
    before `before`, (`at_end`) the last, or the one that shows segment `starting_at`
    (with its position in the list; see `_page_starting_at`); a segment the filter hides
    gives the first page."""
    if sum((after is not None, before is not None, at_end, starting_at is not None)) > 1:
        raise ValueError("give at most one of after, before, at_end, starting_at")
    if starting_at is not None:
        return _page_starting_at(conn, flt, sort, viewer, starting_at, limit)
    window = Window(after=after, before=before, at_end=at_end)
    keys, has_before, has_after = settle(_window_keys(conn, flt, sort, viewer, window, limit),
                                         window, limit)
    return keyed_page(keys, _rows_for(conn, [k.id for k in keys]), has_before, has_after)


def _page_starting_at(
    conn: Connection, flt: SegmentFilter, sort: SegmentSort, viewer: CurrentUser | None,
    segment_id: int, limit: int
) -> Page[SegmentRow]:
    """The page that starts at the segment, or the last page when it is near the end; a
    whole list that fits one page is always shown whole."""
    conditions = filter_conditions(conn, flt, viewer)
    value = conn.execute(
        select(_sort_expression(sort.column)).where(Segment.id == segment_id, *conditions)
    ).first()
    if value is None:
        return fetch_page(conn, flt, sort, viewer, limit=limit)
    start = Keyset(value=value[0], id=segment_id)
    # The window just after the row before `start`: position >= start.
    inner = (
        select(Segment.id.label("id"), _sort_expression(sort.column).label("sort_value"))
        .where(*conditions)
        .subquery()
    )
    position = tuple_(inner.c.sort_value, inner.c.id)
    edge = tuple_(start.value, start.id)
    before_start = position > edge if sort.descending else position < edge
    offset = int(conn.execute(select(func.count()).select_from(inner).where(before_start))
                 .scalar_one())
    page = fetch_page(conn, flt, sort, viewer, after=_just_before(conn, inner, before_start, sort),
                      limit=limit)
    if offset and not page.has_after and len(page.rows) < limit:
        # Fewer than a page of rows from the segment to the end: show the last page, so
        # the rows before it fill the table instead of blank lines ("4–5 of 5" with three
        # rows hidden, U15.3). The segment is on it: it is among the last rows.
        last = fetch_page(conn, flt, sort, viewer, at_end=True, limit=limit)
        return replace(last, offset=offset + len(page.rows) - len(last.rows))
    return replace(page, offset=offset)


def _just_before(conn: Connection, inner: Any, before_start: ColumnElement[bool],
                 sort: SegmentSort) -> Keyset | None:
    """The keyset of the last row before the start row, or None if it is the first."""
    order = (inner.c.sort_value, inner.c.id) if sort.descending else \
        (inner.c.sort_value.desc(), inner.c.id.desc())
    row = conn.execute(select(inner.c.id, inner.c.sort_value).where(before_start)
                       .order_by(*order).limit(1)).first()
    return None if row is None else Keyset(value=row.sort_value, id=row.id)


def _window_keys(
    conn: Connection, flt: SegmentFilter, sort: SegmentSort, viewer: CurrentUser | None,
    window: Window, limit: int
) -> list[Keyset]:
    inner = (
        select(Segment.id.label("id"), _sort_expression(sort.column).label("sort_value"))
        .where(*filter_conditions(conn, flt, viewer))
        .subquery()
    )
    query = windowed(select(inner.c.id, inner.c.sort_value), inner.c.sort_value, inner.c.id,
                     window, descending=sort.descending, limit=limit)
    return [Keyset(value=r.sort_value, id=r.id) for r in conn.execute(query)]


def _rows_for(conn: Connection, ids: Sequence[int], *,
              seen_by: ColumnElement[bool] | None = None) -> dict[int, SegmentRow]:
    """The rows of these segments (`seen_by`: only those it allows)."""
    if not ids:
        return {}
    query = select(
        Segment.id,
        Segment.name,
        Segment.description,
        Segment.status,
        Segment.updated_at,
        Segment.evaluated_at,
        Segment.evaluation_ms,
        Segment.evaluation_error,
        Segment.evaluation_failed_at,
        member_count().label("contacts"),
        campaign_count().label("campaigns"),
    ).where(Segment.id.in_(ids), *(() if seen_by is None else (seen_by,)))
    return {
        r.id: SegmentRow(
            id=r.id,
            name=r.name,
            description=r.description,
            status=SegmentStatus(r.status),
            contact_count=r.contacts,
            campaign_count=r.campaigns,
            last_modified=r.updated_at,
            evaluated_at=r.evaluated_at,
            evaluation_ms=r.evaluation_ms,
            evaluation_error=r.evaluation_error,
            evaluation_failed_at=r.evaluation_failed_at,
        )
        for r in conn.execute(query)
    }


def segment_rules(conn: Connection, ids: Sequence[int]) -> dict[int, Node | None]:
    """Each segment's rule (None for a static segment), for a page of the list:
    `segtui segments list` shows them beside the rows, each segment they name under its
    current name (current_names)."""
    found: dict[int, Node | None] = {}
    for sid, rule in conn.execute(select(Segment.id, Segment.rule).where(Segment.id.in_(ids))):
        if rule:
            from segtui.core.rules.tree import from_json  # for the dynamic segments only

            found[int(sid)] = from_json(rule)
        else:
            found[int(sid)] = None
    rules = [rule for rule in found.values() if rule is not None]
    if not rules:
        return found
    from segtui.core.rules.tree import spelled

    names = current_names(conn, rules)
    return {sid: spelled(rule, names) if rule is not None else None
            for sid, rule in found.items()}


def current_names(conn: Connection, rules: Iterable[Node]) -> dict[int, str]:
    """The name each segment the rules name (by id) has now: a rule stores the name a
    segment had when the rule was saved, and showing it after a rename named another
    segment, or one that no longer exists, while the rule still meant the first."""
    from segtui.core.rules.tree import referenced_segments

    ids = {ref.id for rule in rules for ref in referenced_segments(rule) if ref.id is not None}
    if not ids:
        return {}
    return {int(sid): str(name) for sid, name in conn.execute(
        select(Segment.id, Segment.name).where(Segment.id.in_(sorted(ids))))}


def row_by_id(conn: Connection, segment_id: int, viewer: CurrentUser | None
              ) -> SegmentRow | None:
    """The segment's row, if `viewer` sees it (C19.3.2), in one statement."""
    return _rows_for(conn, [segment_id], seen_by=visible_to(viewer)).get(segment_id)
