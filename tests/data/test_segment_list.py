"""Search, filters, sort and keyset paging of the dashboard list (R7.1)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from segtui.core.enums import SegmentStatus
from segtui.core.records import (
    Choice,
    ChoiceKind,
    SegmentFilter,
    SegmentRow,
    SegmentSort,
    SegmentSortColumn,
)
from segtui.data.store import Store
from tests.factories import add_contact, add_many_segments, add_segment

ALL = ["Enterprise Prospects", "Inactive Subscribers", "Marketing Engagers",
       "Product Trial Users"]


NO_FILTER, BY_NAME = SegmentFilter(), SegmentSort()


def names(store: Store, flt: SegmentFilter = NO_FILTER, sort: SegmentSort = BY_NAME) -> list[str]:
    return [r.name for r in store.segments.segment_page(flt, sort).rows]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("enterprise", ["Enterprise Prospects"]),  # name, any case
        ("ENGAG", ["Inactive Subscribers", "Marketing Engagers"]),  # tags, name; any case
        ("q1 2024", ["Enterprise Prospects"]),  # segment tag with a space
        ("Re-engagement", ["Inactive Subscribers"]),  # segment tag only
        ("TechCorp", ["Enterprise Prospects"]),  # company of a member (Sarah Johnson)
        ("innovatetech", ["Product Trial Users"]),  # company of Michael Chen
        ("zzz-nothing", []),
        ("%", []),  # LIKE wildcards are literal
        ("_", []),
    ],
)
def test_search(demo_store: Store, search: str, expected: list[str]) -> None:
    assert names(demo_store, SegmentFilter(search=search)) == expected
    assert demo_store.segments.segment_count(SegmentFilter(search=search)) == len(expected)


def test_status_filter(demo_store: Store) -> None:
    active = SegmentFilter(status=SegmentStatus.ACTIVE)
    assert names(demo_store, active) == ["Enterprise Prospects", "Marketing Engagers"]
    assert names(demo_store, SegmentFilter(status=SegmentStatus.DRAFT)) == ["Product Trial Users"]


def test_member_filters_combine(demo_store: Store) -> None:
    # Spec sample: Sarah Johnson (Enterprise Prospects) is in "Boston, NY".
    assert names(demo_store, SegmentFilter(city="Boston", state="NY")) == ["Enterprise Prospects"]
    # Michael Chen is the only member in "San Francisco, FL".
    assert names(demo_store, SegmentFilter(city="San Francisco", state="FL")) == [
        "Product Trial Users"
    ]
    # City and state must hold for the same member: nobody lives in "Boston, FL".
    assert names(demo_store, SegmentFilter(city="Boston", state="FL")) == []
    # Combined with status.
    flt = SegmentFilter(city="Boston", state="NY", status=SegmentStatus.DRAFT)
    assert names(demo_store, flt) == []


def test_company_filter_via_choices(demo_store: Store) -> None:
    [techcorp] = demo_store.contacts.choices(ChoiceKind.COMPANY, "techcorp")
    assert techcorp.label == "TechCorp Solutions"
    assert names(demo_store, SegmentFilter(company=techcorp)) == ["Enterprise Prospects"]
    clearing = SegmentFilter()
    assert names(demo_store, clearing) == ALL


def test_choices_search_and_limit(demo_store: Store) -> None:
    cities = demo_store.contacts.choices(ChoiceKind.CITY, "", limit=500)
    labels = [c.label for c in cities]
    assert "Boston" in labels and labels == sorted(labels, key=str.lower)
    assert [c.label for c in demo_store.contacts.choices(ChoiceKind.CITY, "bost")] == ["Boston"]
    assert len(demo_store.contacts.choices(ChoiceKind.STATE, "", limit=3)) == 3
    assert demo_store.contacts.choices(ChoiceKind.COMPANY, "no such company") == []


@pytest.mark.parametrize("column", list(SegmentSortColumn))
def test_every_column_sorts_both_ways(demo_store: Store, column: SegmentSortColumn) -> None:
    up = demo_store.segments.segment_page(SegmentFilter(), SegmentSort(column)).rows
    down = demo_store.segments.segment_page(SegmentFilter(), SegmentSort(column,
                                                                         descending=True)).rows
    key: Callable[[SegmentRow], Any] = {
        SegmentSortColumn.NAME: lambda r: r.name.lower(),
        SegmentSortColumn.DESCRIPTION: lambda r: r.description.lower(),
        SegmentSortColumn.STATUS: lambda r: r.status.value,
        SegmentSortColumn.CONTACTS: lambda r: r.contact_count,
        SegmentSortColumn.CAMPAIGNS: lambda r: r.campaign_count,
        SegmentSortColumn.LAST_MODIFIED: lambda r: r.last_modified,
    }[column]
    assert [key(r) for r in up] == sorted(key(r) for r in up)
    assert [key(r) for r in down] == sorted((key(r) for r in down), reverse=True)
    assert {r.id for r in up} == {r.id for r in down}


@pytest.mark.parametrize("column", [SegmentSortColumn.NAME, SegmentSortColumn.CONTACTS,
                                    SegmentSortColumn.LAST_MODIFIED])
def test_keyset_pages_walk_forward_and_back(demo_store: Store, column: SegmentSortColumn) -> None:
    add_many_segments(demo_store, 45)
    sort, flt = SegmentSort(column), SegmentFilter()
    everything = [r.id for r in demo_store.segments.segment_page(flt, sort, limit=1000).rows]
    assert len(everything) == 49 == demo_store.segments.segment_count(flt)

    seen: list[int] = []
    page = demo_store.segments.segment_page(flt, sort, limit=10)
    pages = [page]
    assert not page.has_before
    while True:
        seen += [r.id for r in page.rows]
        if not page.has_after:
            break
        page = demo_store.segments.segment_page(flt, sort, after=page.last, limit=10)
        pages.append(page)
        assert page.has_before
    assert seen == everything and len(pages) == 5

    # Walking back from the last page gives the same windows.
    back = demo_store.segments.segment_page(flt, sort, before=pages[-1].first, limit=10)
    assert [r.id for r in back.rows] == [r.id for r in pages[-2].rows]
    assert back.has_after

    last = demo_store.segments.segment_page(flt, sort, at_end=True, limit=10)
    assert [r.id for r in last.rows] == everything[-10:]
    assert last.has_before and not last.has_after


def test_iter_segments_streams_every_page(demo_store: Store) -> None:
    add_many_segments(demo_store, 450)
    rows = list(demo_store.segments.iter_segments(SegmentFilter(search="bulk"), SegmentSort()))
    assert len(rows) == 450
    assert [r.name for r in rows] == sorted(r.name for r in rows)


def test_hostile_names_round_trip(demo_store: Store) -> None:
    hostile = "[bold]x[/] \x1b[31mred"
    add_segment(demo_store, hostile, description="=HYPERLINK()")
    [row] = demo_store.segments.segment_page(SegmentFilter(search="[bold]"), SegmentSort()).rows
    assert row.name == hostile


def test_company_search_reaches_new_members(demo_store: Store) -> None:
    contact = add_contact(demo_store, "Zed Zulu", company="Umbrella Widgets")
    add_segment(demo_store, "Umbrella Fans", members=[contact])
    assert names(demo_store, SegmentFilter(search="umbrella w")) == ["Umbrella Fans"]
    [choice] = demo_store.contacts.choices(ChoiceKind.COMPANY, "Umbrella")
    assert choice == Choice(key=choice.key, label="Umbrella Widgets")


@pytest.mark.parametrize("term", ["tech", "a", "solutions", "zzqx"])
def test_both_company_search_shapes_agree(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch, term: str
) -> None:
    """Few matching companies walk companies->contacts->segments; many check each segment's
    members. Both must give the same segments."""
    from segtui.data.queries import segment_list

    few = names(demo_store, SegmentFilter(search=term))
    monkeypatch.setattr(segment_list, "COMPANY_IDS_LIMIT", 0)
    assert names(demo_store, SegmentFilter(search=term)) == few
    assert demo_store.segments.segment_count(SegmentFilter(search=term)) == len(few)


# -- the page that shows one segment (U15.3) ---------------------------------------------


def test_the_page_showing_a_segment_never_hides_a_list_that_fits(demo_store: Store) -> None:
    """A new segment sorted fourth of five: the page is the whole list (before: rows 4-5,
    so the dashboard said "4–5 of 5" with three rows hidden)."""
    new = add_segment(demo_store, "Nurture Wave")
    page = demo_store.segments.segment_page(NO_FILTER, BY_NAME, starting_at=new, limit=100)
    assert [r.name for r in page.rows] == sorted([*ALL, "Nurture Wave"])
    assert page.offset == 0 and not page.has_before and not page.has_after


def test_the_page_showing_a_segment_near_the_end_is_the_last_full_page(
        demo_store: Store) -> None:
    add_many_segments(demo_store, 30)  # "Bulk 0001".. sort before the demo's four
    rows = demo_store.segments.segment_page(NO_FILTER, BY_NAME, limit=500).rows
    ordered, ids = [r.name for r in rows], {r.name: r.id for r in rows}
    page = demo_store.segments.segment_page(NO_FILTER, BY_NAME, starting_at=ids[ordered[-2]],
                                            limit=10)
    assert [r.name for r in page.rows] == ordered[-10:]  # full, ending at the last row
    assert page.offset == len(ordered) - 10 and page.has_before and not page.has_after
    middle = demo_store.segments.segment_page(NO_FILTER, BY_NAME, starting_at=ids[ordered[5]],
                                              limit=10)
    assert [r.name for r in middle.rows] == ordered[5:15]  # starts at it when it can
    assert middle.offset == 5
