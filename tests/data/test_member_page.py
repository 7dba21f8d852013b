"""A segment's member list, paged by the plan its density calls for (data/queries/member_page.py,
P5): the dense plan (walk the contacts' name index, check membership per contact)
and the sparse plan (walk the segment's memberships, sort them) must give exactly the same
pages, on both engines, in both directions, through ties on name; and SQLite must run each
plan from the index it was written for (PostgreSQL's plans: test_detail_plans_pg.py).

The contacts are many people sharing few names (ties on name everywhere, broken by id), and
the segments are: dense (every other contact), sparse (one in fifty), bunched (only the
alphabet's last names, which the dense walk can't reach within its bound from the start),
plus past stays (removed memberships) that must not count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
from sqlalchemy import insert, select

from segtui.core.contacts import ContactFilter, ContactRow, ContactSelection
from segtui.core.enums import LeadStatus, MembershipSource, SegmentStatus
from segtui.core.records import Choice, Keyset, Page
from segtui.data.db.keyset import Window, settle
from segtui.data.db.models import Contact, Membership, Segment
from segtui.data.queries import member_page
from segtui.data.store import Store

CONTACTS = 600
# Twelve first names for 600 contacts: fifty people share each name. Inserted in an order
# unrelated to the name's, so ids don't follow names.
FIRST_NAMES = ["Zoe", "Ann", "Mia", "Bob", "Eve", "Kai", "Lea", "Dan", "Ida", "Uma", "Cy",
               "Ola"]
WHEN = datetime(2024, 1, 1)

Keys = Callable[[Window, int], list[Keyset] | None]


def _name(n: int) -> str:
    return FIRST_NAMES[(n * 7) % len(FIRST_NAMES)]


@pytest.fixture
def segments(empty_store: Store) -> dict[str, int]:
    """The segments above, by kind, in a database of CONTACTS contacts."""
    store = empty_store
    with store.engine.begin() as conn:
        conn.execute(insert(Contact), [
            {"name": _name(n), "lead_status": LeadStatus.NEW.value, "quality_score": 50,
             "created_at": WHEN} for n in range(CONTACTS)])
        ids = list(conn.execute(select(Contact.id).order_by(Contact.id)).scalars())
        names = {i: n for i, n in conn.execute(select(Contact.id, Contact.name))}
        last_names = sorted(set(names.values()))[-1:]
        members = {
            "dense": ids[::2],
            "sparse": ids[::50],
            "bunched": [i for i in ids if names[i] in last_names],
        }
        found = {}
        for kind, contact_ids in members.items():
            segment_id = conn.execute(insert(Segment).values(
                name=kind, name_key=kind, status=SegmentStatus.ACTIVE.value,
                created_at=WHEN, updated_at=WHEN).returning(Segment.id)).scalar_one()
            conn.execute(insert(Membership), [
                {"segment_id": segment_id, "contact_id": c,
                 "source": MembershipSource.MANUAL.value, "added_at": WHEN}
                for c in contact_ids])
            # Past stays of contacts who are not members now: history, not members.
            conn.execute(insert(Membership), [
                {"segment_id": segment_id, "contact_id": c,
                 "source": MembershipSource.MANUAL.value, "added_at": WHEN,
                 "removed_at": WHEN} for c in ids[1::3] if c not in set(contact_ids)])
            found[kind] = segment_id
    return found


def _reference(store: Store, segment_id: int) -> list[Keyset]:
    """Every member in list order, as the database itself sorts them."""
    with store.reading() as conn:
        rows = conn.execute(
            select(Contact.name, Contact.id)
            .join(Membership, Membership.contact_id == Contact.id)
            .where(Membership.segment_id == segment_id, Membership.removed_at.is_(None))
            .order_by(Contact.name, Contact.id))
        return [Keyset(name, contact_id) for name, contact_id in rows]


def _plans(store: Store, segment_id: int) -> dict[str, Keys]:
    """Each plan as `keys(window, limit)`; the dense one without a bound on its walk (it
    always answers) and with a short bound (it may give up: None)."""

    def run(plan: Callable[..., list[Keyset] | None], **kw: int) -> Keys:
        def keys(window: Window, limit: int) -> list[Keyset] | None:
            with store.reading() as conn:
                return plan(conn, segment_id, window, limit, **kw)
        return keys

    return {
        "sparse": run(member_page.sparse_keys),
        "dense": run(member_page.dense_keys, reach=CONTACTS * 2),
        "dense, short walk": run(member_page.dense_keys, reach=40),
        "chosen": run(member_page.page_keys),
    }


def _walk(keys: Keys, limit: int, *, backwards: bool) -> Iterator[list[Keyset]]:
    """Every page from one end of the list to the other, as the table pages."""
    window = Window(at_end=True) if backwards else Window()
    while True:
        found = keys(window, limit)
        assert found is not None
        page, has_before, has_after = settle(found, window, limit)
        yield page
        if not (has_before if backwards else has_after):
            return
        window = Window(before=page[0]) if backwards else Window(after=page[-1])


@pytest.mark.parametrize("kind", ["dense", "sparse", "bunched"])
@pytest.mark.parametrize("limit", [5, 11])
def test_every_plan_pages_through_the_same_list(store_segments: tuple[Store, dict[str, int]],
                                                kind: str, limit: int) -> None:
    store, segments = store_segments
    expected = _reference(store, segments[kind])
    assert len(expected) > limit  # more than one page
    for name, keys in _plans(store, segments[kind]).items():
        if name == "dense, short walk":
            continue  # may give up mid-list: compared page by page below
        forward = [key for page in _walk(keys, limit, backwards=False) for key in page]
        backward = [key for page in reversed(list(_walk(keys, limit, backwards=True)))
                    for key in page]
        assert forward == expected, name
        assert backward == expected, name


@pytest.mark.parametrize("kind", ["dense", "sparse", "bunched"])
def test_every_window_is_the_same_from_each_plan(store_segments: tuple[Store, dict[str, int]],
                                                  kind: str) -> None:
    """First, middle (after and before an edge, including edges inside a run of one name
    and edges that are no member's), last, and past either end."""
    store, segments = store_segments
    members = _reference(store, segments[kind])
    middle = members[len(members) // 2]
    windows = [Window(), Window(at_end=True),
               Window(after=middle), Window(before=middle),
               Window(after=Keyset(middle.value, 0)), Window(before=Keyset(middle.value, 10**6)),
               Window(after=Keyset("M", 0)), Window(before=Keyset("M", 0)),
               Window(after=members[-1]), Window(before=members[0]),
               Window(after=members[-3]), Window(before=members[2])]
    plans = _plans(store, segments[kind])
    for window in windows:
        for limit in (1, 10):
            expected = plans["sparse"](window, limit)
            for name, keys in plans.items():
                found = keys(window, limit)
                if found is None:
                    assert name == "dense, short walk"
                    continue
                assert found == expected, (name, window, limit)


def test_a_bunched_segment_is_not_walked_past_the_bound(
        store_segments: tuple[Store, dict[str, int]]) -> None:
    """Members only at the end of the alphabet: from the start, a short walk finds none and
    gives up (the sparse plan answers); from near them, it finds them."""
    store, segments = store_segments
    plans = _plans(store, segments["bunched"])
    members = _reference(store, segments["bunched"])
    assert plans["dense, short walk"](Window(), 10) is None
    assert plans["chosen"](Window(), 10) == members[:11]
    assert plans["dense, short walk"](Window(at_end=True), 10) == members[::-1][:11]


def test_the_plan_follows_the_density(store_segments: tuple[Store, dict[str, int]]) -> None:
    store, segments = store_segments
    with store.reading() as conn:
        # reach: √(2 · 11 · 600) = 115 contacts walked at most; dense from 115 members.
        dense = member_page.choose_plan(conn, segments["dense"], 11)
        sparse = member_page.choose_plan(conn, segments["sparse"], 11)
    assert dense == member_page.Plan(dense=True, reach=115)
    assert sparse == member_page.Plan(dense=False, reach=115)


def test_the_store_pages_members_by_the_chosen_plan(
        store_segments: tuple[Store, dict[str, int]]) -> None:
    """Through the Store, as the Contacts tab asks: whole rows, in list order, both ways,
    here by the dense plan (pages of 20: dense from √(2 · 21 · 600) = 159 members)."""
    from benchmarks.bench import captured

    store, segments = store_segments
    members = _reference(store, segments["dense"])
    members_only = ContactFilter(segment=Choice(str(segments["dense"]), "dense"))

    def page(**window: object) -> list[Keyset]:
        with captured(store) as sent:
            found = store.contacts.contact_page(members_only, ContactSelection(), limit=20,
                                                **window)  # type: ignore[arg-type]
        assert any("EXISTS" in sql for sql, _ in sent)  # the dense plan
        assert not any("page_members" in sql for sql, _ in sent)  # not the sparse one
        pages.append(found)
        return [Keyset(r.name, r.id) for r in found.rows]

    pages: list[Page[ContactRow]] = []
    assert page() == members[:20]
    assert (pages[-1].has_before, pages[-1].has_after) == (False, True)
    assert page(after=pages[-1].last) == members[20:40]
    assert page(before=pages[-1].first) == members[:20]
    assert page(at_end=True) == members[-20:]
    assert (pages[-1].has_before, pages[-1].has_after) == (True, False)


@pytest.fixture
def store_segments(empty_store: Store, segments: dict[str, int]
                   ) -> tuple[Store, dict[str, int]]:
    return empty_store, segments


# -- SQLite's plans ------------------------------------------------------------------------


def _sqlite_plans(store: Store, operation: Callable[[], object]) -> list[tuple[str, str]]:
    """Each SELECT the operation sends, with SQLite's plan for it."""
    from benchmarks.bench import captured

    with captured(store) as sent:
        operation()
    found = []
    with store.reading() as conn:
        for sql, parameters in sent:
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", parameters).all()
            found.append((" ".join(sql.split()), "\n".join(str(r[-1]) for r in rows)))
    return found


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("window", [Window(), Window(after=Keyset("M", 0)),
                                    Window(before=Keyset("M", 0)), Window(at_end=True)])
def test_sqlite_walks_the_name_index_for_a_dense_page(
        store_segments: tuple[Store, dict[str, int]], window: Window) -> None:
    store, segments = store_segments

    def dense() -> object:
        with store.reading() as conn:
            return member_page.dense_keys(conn, segments["dense"], window, 10, reach=100)

    bound, page = _sqlite_plans(store, dense)
    # Where the walk ends: a count along the name index alone.
    assert "contacts USING COVERING INDEX ix_contacts_name" in bound[1].splitlines()[0], bound
    # The page: the name index alone, in its order (no sort), one membership probe each.
    assert "contacts USING COVERING INDEX ix_contacts_name" in page[1].splitlines()[0], page
    assert "CORRELATED SCALAR SUBQUERY" in page[1]
    [probe] = [line for line in page[1].splitlines() if "memberships" in line]
    # One point in a membership index (whichever: each holds segment and contact).
    assert probe.startswith("SEARCH memberships USING"), page
    assert "segment_id=?" in probe and "contact_id=?" in probe, page
    assert "TEMP B-TREE" not in page[1], page


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_sqlite_starts_a_sparse_page_from_the_memberships(
        store_segments: tuple[Store, dict[str, int]]) -> None:
    store, segments = store_segments

    def sparse() -> object:
        with store.reading() as conn:
            return member_page.sparse_keys(conn, segments["sparse"],
                                           Window(after=Keyset("M", 0)), 10)

    [(_, plan)] = _sqlite_plans(store, sparse)
    assert "SEARCH contacts USING INTEGER PRIMARY KEY (rowid=?)" in plan, plan
    assert "USING COVERING INDEX ix_memberships_segment (segment_id=? AND removed_at=?)" \
        in plan, plan
    assert "ix_contacts_name" not in plan, plan


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_sqlite_counts_members_for_the_choice_from_an_index(
        store_segments: tuple[Store, dict[str, int]]) -> None:
    store, segments = store_segments

    def choose() -> object:
        with store.reading() as conn:
            return member_page.choose_plan(conn, segments["dense"], 11)

    highest, counted = _sqlite_plans(store, choose)
    assert highest[1] == "SEARCH contacts", highest  # max(id): the key's last entry
    assert "USING COVERING INDEX ix_memberships_segment (segment_id=? AND removed_at=?)" \
        in counted[1], counted
