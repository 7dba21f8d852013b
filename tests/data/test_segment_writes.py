"""Writing segments through the Store, on SQLite and PostgreSQL (R7.2 Create Segment,
R7.3 Edit Segment, R7.4 Delete Segment, R7.11 Add Contacts), on the R8 demo.

The rules these tests hold the Store to (paraphrasing the spec sections):
- 7.2: a segment is created from a name, description, status and tags, with the contacts the
  user selected in the picker (search, lead status, company size, segment, location, quality
  score; "select all" selects everything matching the filters). Names are unique ignoring
  case. The creation is logged on the segment's timeline (7.9) by the acting user.
- 7.3: editing changes the same fields and can add contacts not already in the segment; two
  people editing at once must not silently overwrite each other.
- 7.4: a segment used by an Active campaign can't be deleted: "This segment cannot be deleted
  because it is being used in active campaigns. You need to pause N active campaign(s) before
  deleting this segment." Deleting removes the segment's memberships, notes and activities;
  contacts stay.
- 7.11: Add Contacts adds only contacts that aren't members yet.
- R2 roles: Marketing Managers and CRM Administrators change segments; the Viewer can't.
Every write is one transaction: when it fails, nothing of it is left behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import Row, func, select, update

from segtui.core.contacts import ContactFilter, ContactRow, ContactSelection
from segtui.core.enums import CampaignStatus, CompanySize, LeadStatus, SegmentStatus, UserRole
from segtui.core.formatting import round_half_up
from segtui.core.permissions import CurrentUser
from segtui.core.records import Choice, Keyset, SegmentFilter, SegmentRow, SegmentSort
from segtui.core.segments import (
    DuplicateSegmentName,
    InvalidSegment,
    NotAllowed,
    SegmentConflict,
    SegmentDetails,
    SegmentDraft,
    SegmentInUse,
    SegmentNotFound,
)
from segtui.data.db.models import (
    Activity,
    Base,
    Campaign,
    Company,
    Contact,
    Membership,
    Note,
    Segment,
    Setting,
    Tag,
    User,
)
from segtui.data.db.tables import campaign_segments, segment_tags
from segtui.data.store import Store
from segtui.data.writes import segment_writes
from segtui.data.writes.users import DEFAULT_USER_SETTING, ENV_VAR

NOW = datetime(2024, 2, 26, 12, 0)  # clock.now() with SEGTUI_TODAY=2024-02-26
ALL = ContactFilter()
NOTHING = ContactSelection()
HOT = ContactFilter(status=LeadStatus.HOT_LEAD)
TECHCORP = ContactFilter(search="techcorp")

# On PostgreSQL (psycopg 3, SQLAlchemy 2.1) CursorResult.rowcount of an INSERT without
# RETURNING is -1: SQLAlchemy closes the cursor before reading it (sqlalchemy#10696; the
# statement needs execution_options(preserve_rowcount=True)). contact_list.
# add_selected_members keeps the count; these tests prove it on both engines.
ROWCOUNT_ENGINES = pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])

# -- helpers ----------------------------------------------------------------------------


def segment_rows(store: Store) -> dict[str, SegmentRow]:
    return {r.name: r for r in store.segments.segment_page(SegmentFilter(), SegmentSort()).rows}


def segment_id(store: Store, name: str) -> int:
    return segment_rows(store)[name].id


def all_contacts(
    store: Store, flt: ContactFilter = ALL, selection: ContactSelection = NOTHING
) -> list[ContactRow]:
    page = store.contacts.contact_page(flt, selection, limit=1000)
    assert not page.has_after
    return list(page.rows)


def contact_named(store: Store, name: str) -> ContactRow:
    [row] = [r for r in all_contacts(store, ContactFilter(search=name)) if r.name == name]
    return row


def member_ids(store: Store, seg: int) -> set[int]:
    with store.reading() as conn:
        return set(conn.execute(
            select(Membership.contact_id)
            .where(Membership.segment_id == seg, Membership.removed_at.is_(None))
        ).scalars())


def tags_of(store: Store, seg: int) -> set[str]:
    with store.reading() as conn:
        return set(conn.execute(
            select(Tag.name).join(segment_tags, segment_tags.c.tag_id == Tag.id)
            .where(segment_tags.c.segment_id == seg)
        ).scalars())


def activities(store: Store, seg: int) -> list[tuple[str, str, str | None, datetime]]:
    """(type, description, performer, time) of the segment's timeline, oldest first."""
    with store.reading() as conn:
        rows = conn.execute(
            select(Activity.type, Activity.description, User.name, Activity.created_at)
            .outerjoin(User, User.id == Activity.performer_id)
            .where(Activity.segment_id == seg)
            .order_by(Activity.id)
        ).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def segment_record(store: Store, seg: int) -> Row[Any] | None:
    with store.reading() as conn:
        return conn.execute(select(Segment.__table__).where(Segment.id == seg)).one_or_none()


def database_state(store: Store) -> dict[str, Any]:
    """Every row of every table: to prove a failed write left nothing behind."""
    with store.reading() as conn:
        return {
            table.name: sorted(
                (tuple(str(v) for v in row) for row in conn.execute(select(table))),
            )
            for table in Base.metadata.sorted_tables
        }


def campaign_id(store: Store, name: str) -> int:
    with store.reading() as conn:
        return int(conn.execute(select(Campaign.id).where(Campaign.name == name)).scalar_one())


def campaign_status(store: Store, name: str) -> CampaignStatus:
    with store.reading() as conn:
        value = conn.execute(select(Campaign.status).where(Campaign.name == name)).scalar_one()
    return CampaignStatus(value)


@pytest.fixture
def sarah(demo_store: Store) -> CurrentUser:
    return demo_store.users.current_user("Sarah Mitchell")


@pytest.fixture
def viewer(demo_store: Store) -> CurrentUser:
    return demo_store.users.current_user("Alex Kim")


@pytest.fixture
def no_env_user(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(ENV_VAR, raising=False)
    yield


# -- who is working (R2: roles) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "name", "role"),
    [
        ("Sarah Mitchell", "Sarah Mitchell", UserRole.MARKETING_MANAGER),
        ("Priya Patel", "Priya Patel", UserRole.MARKETING_MANAGER),
        ("James Carter", "James Carter", UserRole.CRM_ADMINISTRATOR),
        ("Alex Kim", "Alex Kim", UserRole.VIEWER),
        ("  alex KIM ", "Alex Kim", UserRole.VIEWER),  # names ignore case and outer spaces
    ],
)
def test_current_user_by_name(demo_store: Store, given: str, name: str, role: UserRole) -> None:
    user = demo_store.users.current_user(given)
    assert (user.name, user.role) == (name, role)
    assert demo_store.users.current_user(name).id == user.id


def test_unknown_user_is_recorded_as_a_viewer(demo_store: Store) -> None:
    """I16.6: a name segtui has not seen may look but not change anything (more in
    tests/data/test_users.py)."""
    with demo_store.reading() as conn:
        before = conn.execute(select(func.count()).select_from(User)).scalar_one()
    user = demo_store.users.current_user("Dana Scully")
    assert (user.name, user.role) == ("Dana Scully", UserRole.VIEWER)
    again = demo_store.users.current_user("dana scully")
    assert again == user  # created once, found after
    with demo_store.reading() as conn:
        assert conn.execute(select(func.count()).select_from(User)).scalar_one() == before + 1


def test_user_from_environment(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "James Carter")
    assert demo_store.users.current_user().role is UserRole.CRM_ADMINISTRATOR
    # An explicit --user wins over the environment.
    assert demo_store.users.current_user("Alex Kim").name == "Alex Kim"


def test_default_user_is_the_demo_setting(demo_store: Store, no_env_user: None) -> None:
    with demo_store.reading() as conn:
        setting = conn.execute(
            select(Setting.value).where(Setting.key == DEFAULT_USER_SETTING)
        ).scalar_one()
    assert setting == "Sarah Mitchell"
    user = demo_store.users.current_user()
    assert (user.name, user.role) == ("Sarah Mitchell", UserRole.MARKETING_MANAGER)
    assert demo_store.users.current_user("   ") == user  # a blank --user is no --user


# -- the contact picker's filters (R7.2, R7.11) -----------------------------------------


def test_all_contacts(demo_store: Store) -> None:
    assert demo_store.contacts.contact_count(ALL) == 255 == len(all_contacts(demo_store))


@pytest.mark.parametrize(
    "search",
    ["sarah.johnson@techcorp", "SARAH.JOHNSON@TECHCORP", "sarah johnson", "  Sarah Johnson  "],
)
def test_search_finds_sarah_johnson(demo_store: Store, search: str) -> None:
    """R8: Sarah Johnson, sarah.johnson@techcorp.com, TechCorp Solutions."""
    flt = ContactFilter(search=search)
    assert [r.name for r in all_contacts(demo_store, flt)] == ["Sarah Johnson"]
    assert demo_store.contacts.contact_count(flt) == 1


@pytest.mark.parametrize("search", ["techcorp", "TechCorp", "johnson", "@", "%", "_", "zzz"])
def test_search_matches_name_email_or_company(demo_store: Store, search: str) -> None:
    """Case-insensitive "contains" over name, email and company; LIKE wildcards literal."""
    wanted = search.casefold()
    expected = [
        r.id for r in all_contacts(demo_store)
        if wanted in r.name.casefold() or wanted in r.email.casefold()
        or wanted in r.company.casefold()
    ]
    flt = ContactFilter(search=search)
    assert [r.id for r in all_contacts(demo_store, flt)] == expected
    assert demo_store.contacts.contact_count(flt) == len(expected)


def test_search_by_company(demo_store: Store) -> None:
    """"tech corp solutions" is in no name or email: only the company matches."""
    rows = all_contacts(demo_store, ContactFilter(search="techcorp SOLUTIONS"))
    assert "Sarah Johnson" in [r.name for r in rows]
    assert len(rows) >= 2  # others work at TechCorp too
    assert all(r.company == "TechCorp Solutions" for r in rows)
    assert {r.id for r in rows} == {
        r.id for r in all_contacts(demo_store) if r.company == "TechCorp Solutions"
    }


def test_row_fields(demo_store: Store) -> None:
    """Rows carry what the picker shows, tags included (R8's Sarah Johnson)."""
    row = contact_named(demo_store, "Sarah Johnson")
    assert (row.email, row.company, row.title) == (
        "sarah.johnson@techcorp.com", "TechCorp Solutions", "VP of Sales",
    )
    assert (row.status, row.city, row.state) == (LeadStatus.HOT_LEAD, "Boston", "NY")
    assert row.tags == ("Decision Maker", "Enterprise")
    assert not row.selected


@pytest.mark.parametrize(
    "flt",
    [
        HOT,
        ContactFilter(status=LeadStatus.COLD),
        ContactFilter(city="Boston"),
        ContactFilter(city="Boston", state="NY"),
        ContactFilter(state="CA"),
        ContactFilter(score=(80, 100)),
        ContactFilter(score=(0, 30)),
        ContactFilter(score=(50, 50)),
        ContactFilter(search="a", status=LeadStatus.NURTURING, score=(40, 90)),
    ],
    ids=lambda f: repr(f)[len("ContactFilter("):-1][:60],
)
def test_row_filters_match_the_rows(demo_store: Store, flt: ContactFilter) -> None:
    """Status, city/state and quality score range, alone and combined."""
    everyone = all_contacts(demo_store)

    def matches(r: ContactRow) -> bool:
        text = flt.search.casefold()
        return (
            (not text or text in r.name.casefold() or text in r.email.casefold()
             or text in r.company.casefold())
            and (flt.status is None or r.status is flt.status)
            and (flt.city is None or r.city == flt.city)
            and (flt.state is None or r.state == flt.state)
            and flt.score[0] <= r.quality_score <= flt.score[1]
        )

    expected = [r.id for r in everyone if matches(r)]
    assert expected, "a filter that matches nothing proves little"
    assert [r.id for r in all_contacts(demo_store, flt)] == expected
    assert demo_store.contacts.contact_count(flt) == len(expected)


def test_hot_leads(demo_store: Store) -> None:
    hot = all_contacts(demo_store, HOT)
    names = {r.name for r in hot}
    assert {"Sarah Johnson", "David Thompson"} <= names  # R8's two Hot Leads
    assert all(r.status is LeadStatus.HOT_LEAD for r in hot)


@pytest.mark.parametrize("size", list(CompanySize))
def test_company_size_filter(demo_store: Store, size: CompanySize) -> None:
    with demo_store.reading() as conn:
        expected = set(conn.execute(
            select(Contact.id).join(Company, Company.id == Contact.company_id)
            .where(Company.size == size)
        ).scalars())
    flt = ContactFilter(size=size)
    assert {r.id for r in all_contacts(demo_store, flt)} == expected
    assert demo_store.contacts.contact_count(flt) == len(expected) > 0
    if size is CompanySize.ENTERPRISE:  # TechCorp Solutions is an Enterprise (R8)
        assert contact_named(demo_store, "Sarah Johnson").id in expected


@pytest.mark.parametrize(
    ("name", "size"),
    [("Enterprise Prospects", 45), ("Inactive Subscribers", 120), ("Marketing Engagers", 28),
     ("Product Trial Users", 62)],
)
def test_segment_filters(demo_store: Store, name: str, size: int) -> None:
    """In a segment (the picker's Segment filter) and not in it (the Add Contacts base)."""
    seg = segment_id(demo_store, name)
    members = member_ids(demo_store, seg)
    in_it = ContactFilter(segment=Choice(key=str(seg), label=name))
    assert {r.id for r in all_contacts(demo_store, in_it)} == members
    assert demo_store.contacts.contact_count(in_it) == size == len(members)
    outside = ContactFilter(not_in_segment=seg)
    assert demo_store.contacts.contact_count(outside) == 255 - size
    assert not {r.id for r in all_contacts(demo_store, outside)} & members


def test_past_members_are_not_members(demo_store: Store) -> None:
    """Membership history (3 contacts moved from Product Trial Users to Marketing Engagers):
    only current stays count for the segment filters."""
    trial = segment_id(demo_store, "Product Trial Users")
    with demo_store.reading() as conn:
        past = set(conn.execute(
            select(Membership.contact_id)
            .where(Membership.segment_id == trial, Membership.removed_at.is_not(None))
        ).scalars())
    assert len(past) == 3
    outside = {r.id for r in all_contacts(demo_store, ContactFilter(not_in_segment=trial))}
    assert past <= outside


def test_filters_combine(demo_store: Store) -> None:
    enterprise = segment_id(demo_store, "Enterprise Prospects")
    members = member_ids(demo_store, enterprise)
    flt = ContactFilter(status=LeadStatus.HOT_LEAD,
                        segment=Choice(key=str(enterprise), label="Enterprise Prospects"))
    expected = {r.id for r in all_contacts(demo_store, HOT) if r.id in members}
    assert {r.id for r in all_contacts(demo_store, flt)} == expected
    assert {"Sarah Johnson", "David Thompson"} <= {r.name for r in all_contacts(demo_store, flt)}
    outside = ContactFilter(status=LeadStatus.HOT_LEAD, not_in_segment=enterprise)
    assert demo_store.contacts.contact_count(outside) + len(
        expected) == demo_store.contacts.contact_count(HOT)


# -- pages sorted by name, keyset paging ----------------------------------------------------


def test_pages_are_sorted_by_name(demo_store: Store, engine_name: str) -> None:
    rows = all_contacts(demo_store)
    with demo_store.reading() as conn:  # the database's own collation decides the order
        ordered = list(conn.execute(select(Contact.id).order_by(Contact.name, Contact.id))
                       .scalars())
    assert [r.id for r in rows] == ordered
    keys = [(r.name, r.id) for r in rows]
    if engine_name == "sqlite":  # binary collation: exactly Python's order
        assert keys == sorted(keys)
    # Namesakes (the demo has some) are ordered by id.
    names = [r.name for r in rows]
    assert len(set(names)) < len(names)
    for (n1, i1), (n2, i2) in pairwise(keys):
        if n1 == n2:
            assert i1 < i2


def test_keyset_paging_walks_every_row_once(demo_store: Store) -> None:
    everything = [r.id for r in all_contacts(demo_store)]
    forward: list[int] = []
    after: Keyset | None = None
    sizes = []
    while True:
        page = demo_store.contacts.contact_page(ALL, NOTHING, after=after, limit=50)
        assert page.has_before == (after is not None)
        forward += [r.id for r in page.rows]
        sizes.append(len(page.rows))
        if not page.has_after:
            break
        after = page.last
    assert sizes == [50, 50, 50, 50, 50, 5]
    assert forward == everything

    backward: list[list[int]] = []
    page = demo_store.contacts.contact_page(ALL, NOTHING, at_end=True, limit=50)
    assert not page.has_after
    while True:
        backward.insert(0, [r.id for r in page.rows])
        if not page.has_before:
            break
        assert page.first is not None
        page = demo_store.contacts.contact_page(ALL, NOTHING, before=page.first, limit=50)
        assert page.has_after
    assert [len(p) for p in backward] == [5, 50, 50, 50, 50, 50]
    assert [i for p in backward for i in p] == everything


def test_paging_under_a_filter(demo_store: Store) -> None:
    everything = [r.id for r in all_contacts(demo_store, ContactFilter(state="CA"))]
    seen: list[int] = []
    after: Keyset | None = None
    while True:
        page = demo_store.contacts.contact_page(ContactFilter(state="CA"), NOTHING, after=after,
                                                limit=7)
        seen += [r.id for r in page.rows]
        if not page.has_after:
            break
        after = page.last
    assert seen == everything


def test_empty_page(demo_store: Store) -> None:
    page = demo_store.contacts.contact_page(ContactFilter(search="zzz-nobody"), NOTHING, limit=50)
    assert page.rows == () and page.first is None and page.last is None
    assert not page.has_after and not page.has_before


# -- selections: the newest action mentioning a contact decides ------------------------------


def selected_ids(store: Store, selection: ContactSelection) -> set[int]:
    """Selected rows as the picker shows them, checked against the selection count."""
    ids = {r.id for r in all_contacts(store, ALL, selection) if r.selected}
    assert store.contacts.selection_count(selection) == len(ids)
    return ids


def test_toggles(demo_store: Store) -> None:
    a = contact_named(demo_store, "Sarah Johnson").id
    b = contact_named(demo_store, "Michael Chen").id
    assert selected_ids(demo_store, NOTHING) == set()
    selection = NOTHING.toggled(a, True).toggled(b, True)
    assert selected_ids(demo_store, selection) == {a, b}
    assert selected_ids(demo_store, selection.toggled(a, False)) == {b}
    assert selected_ids(demo_store, selection.toggled(a, False).toggled(a, True)) == {a, b}


def test_select_all_under_a_filter(demo_store: Store) -> None:
    selection = NOTHING.with_all(HOT, True)
    hot = {r.id for r in all_contacts(demo_store, HOT)}
    assert selected_ids(demo_store, selection) == hot
    assert demo_store.contacts.selection_count(selection) == demo_store.contacts.contact_count(
        HOT) == len(hot)
    # The filtered page shows every row ticked.
    assert all(r.selected for r in all_contacts(demo_store, HOT, selection))


def test_deselect_narrower_after_select_broader(demo_store: Store) -> None:
    """Select all 255, then deselect all TechCorp: the newer action wins for TechCorp."""
    techcorp = {r.id for r in all_contacts(demo_store, TECHCORP)}
    sarah_johnson = contact_named(demo_store, "Sarah Johnson").id
    selection = NOTHING.with_all(ALL, True).with_all(TECHCORP, False)
    chosen = selected_ids(demo_store, selection)
    assert chosen == {r.id for r in all_contacts(demo_store)} - techcorp
    assert len(chosen) == 255 - len(techcorp)
    # Ticking one row back on after the deselect-all: the toggle is newer still.
    again = selection.toggled(sarah_johnson, True)
    assert selected_ids(demo_store, again) == chosen | {sarah_johnson}
    # And a later "select all Hot Leads" re-selects the Hot Leads at TechCorp only.
    hot = {r.id for r in all_contacts(demo_store, HOT)}
    assert selected_ids(demo_store, selection.with_all(HOT, True)) == chosen | hot


def test_deselect_all_overrides_older_toggles(demo_store: Store) -> None:
    hot_one = contact_named(demo_store, "David Thompson").id  # Hot Lead
    other = contact_named(demo_store, "Michael Chen").id  # Qualified
    selection = NOTHING.toggled(hot_one, True).toggled(other, True).with_all(HOT, False)
    assert selected_ids(demo_store, selection) == {other}
    # The counterpart: deselect-all that turns out to hit nobody selected still leaves
    # an empty count even though is_empty (a quick, conservative check) says otherwise.
    empty = NOTHING.with_all(HOT, True).with_all(HOT, False)
    assert selected_ids(demo_store, empty) == set()


def test_select_all_of_everything_then_deselect_everything(demo_store: Store) -> None:
    selection = NOTHING.toggled(1, True).with_all(ALL, True)
    assert demo_store.contacts.selection_count(selection) == 255
    assert demo_store.contacts.selection_count(selection.with_all(ALL, False)) == 0


# -- create (R7.2) -----------------------------------------------------------------------


def test_create_segment(demo_store: Store, sarah: CurrentUser) -> None:
    hot = {r.id for r in all_contacts(demo_store, HOT)}
    with demo_store.reading() as conn:
        tags_before = conn.execute(select(func.count()).select_from(Tag)).scalar_one()
    draft = SegmentDraft("  Hot Leads Q1 ", " Every hot lead. ", (" Hot ", "q1 2024"),
                         SegmentStatus.ACTIVE)
    new = demo_store.segments.create_segment(draft, NOTHING.with_all(HOT, True), sarah)

    row = segment_rows(demo_store)["Hot Leads Q1"]  # trimmed
    assert row.id == new
    assert (row.description, row.status, row.contact_count) == (
        "Every hot lead.", SegmentStatus.ACTIVE, len(hot),
    )
    assert row.last_modified == NOW
    record = segment_record(demo_store, new)
    assert record is not None
    assert (record.version, record.owner_id, record.created_at) == (1, sarah.id, NOW)
    assert member_ids(demo_store, new) == hot
    # "q1 2024" is the existing tag "Q1 2024" (tags ignore case); "Hot" is new.
    assert tags_of(demo_store, new) == {"Hot", "Q1 2024"}
    with demo_store.reading() as conn:
        assert conn.execute(select(func.count()).select_from(Tag)).scalar_one() == tags_before + 1
        sources = conn.execute(
            select(Membership.source, Membership.added_by_id, Membership.added_at)
            .where(Membership.segment_id == new).distinct()
        ).all()
    assert [tuple(s) for s in sources] == [("manual", sarah.id, NOW)]
    [(kind, _, performer, at)] = activities(demo_store, new)
    assert (kind, performer, at) == ("Segment Created", "Sarah Mitchell", NOW)
    # R7.1 cards: one more segment, one more active; every hot lead was already in
    # some segment, so total contacts stay 255; memberships 255 + 28 over 5 segments.
    m = demo_store.segments.dashboard_metrics()
    assert (m.total_segments, m.active_segments, m.total_contacts) == (5, 3, 255)
    assert m.avg_segment_size == round_half_up(255 + len(hot), 5)


def test_create_with_toggled_contacts(demo_store: Store, sarah: CurrentUser) -> None:
    chen = contact_named(demo_store, "Michael Chen").id
    johnson = contact_named(demo_store, "Sarah Johnson").id
    selection = NOTHING.toggled(chen, True).toggled(johnson, True).toggled(chen, False)
    new = demo_store.segments.create_segment(SegmentDraft("Just One"), selection, sarah)
    assert member_ids(demo_store, new) == {johnson}
    assert segment_rows(demo_store)["Just One"].status is SegmentStatus.DRAFT


def test_create_without_contacts(demo_store: Store) -> None:
    admin = demo_store.users.current_user("James Carter")  # CRM Administrators may too
    new = demo_store.segments.create_segment(SegmentDraft("Empty For Now", tags=("Клиенты",)),
                                             NOTHING, admin)
    assert member_ids(demo_store, new) == set()
    assert tags_of(demo_store, new) == {"Клиенты"}
    assert segment_rows(demo_store)["Empty For Now"].contact_count == 0
    assert [a[0] for a in activities(demo_store, new)] == ["Segment Created"]


@ROWCOUNT_ENGINES
@pytest.mark.parametrize("selection_of", ["hot leads", "one", "none"])
def test_creation_log_counts_the_contacts(
    demo_store: Store, sarah: CurrentUser, selection_of: str
) -> None:
    """R7.9: the timeline says how many contacts the new segment started with."""
    hot = demo_store.contacts.contact_count(HOT)
    selection, logged = {
        "hot leads": (NOTHING.with_all(HOT, True), f"Segment created with {hot} contacts"),
        "one": (NOTHING.toggled(contact_named(demo_store, "Sarah Johnson").id, True),
                "Segment created with 1 contact"),
        "none": (NOTHING, "Segment created with 0 contacts"),
    }[selection_of]
    new = demo_store.segments.create_segment(SegmentDraft("Counted"), selection, sarah)
    assert activities(demo_store, new) == [("Segment Created", logged, "Sarah Mitchell", NOW)]


@pytest.mark.parametrize("name", ["Enterprise Prospects", "enterprise PROSPECTS",
                                  "  Inactive Subscribers  "])
def test_create_duplicate_name(demo_store: Store, sarah: CurrentUser, name: str) -> None:
    before = database_state(demo_store)
    with pytest.raises(DuplicateSegmentName) as caught:
        demo_store.segments.create_segment(SegmentDraft(name, tags=("Brand New Tag",)),
                                           NOTHING.with_all(ALL, True), sarah)
    assert caught.value.name == name.strip()
    assert "already exists" in str(caught.value)
    assert database_state(demo_store) == before


def test_create_invalid_draft_writes_nothing(demo_store: Store, sarah: CurrentUser) -> None:
    before = database_state(demo_store)
    draft = SegmentDraft("Bad [name]", "x" * 501, ("ok", "OK"))
    with pytest.raises(InvalidSegment) as caught:
        demo_store.segments.create_segment(draft, NOTHING.with_all(ALL, True), sarah)
    assert [e.field for e in caught.value.errors] == ["name", "description", "tags"]
    assert "Segment name may contain only letters, digits and spaces" in str(caught.value)
    assert database_state(demo_store) == before


def test_viewer_cannot_create(demo_store: Store, viewer: CurrentUser) -> None:
    assert viewer.role is UserRole.VIEWER
    before = database_state(demo_store)
    with pytest.raises(NotAllowed) as caught:
        demo_store.segments.create_segment(SegmentDraft("Viewer Segment"), NOTHING.with_all(HOT,
                                                                                            True),
                                           viewer)
    assert str(caught.value) == "Alex Kim (Viewer) is not allowed to change segments."
    assert database_state(demo_store) == before


def test_create_failing_midway_leaves_nothing(
    demo_store: Store, sarah: CurrentUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Segment, new tag and memberships are written before the activity; when logging
    fails, all of it is rolled back."""
    before = database_state(demo_store)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(segment_writes, "log_activity", broken)
    with pytest.raises(RuntimeError):
        demo_store.segments.create_segment(SegmentDraft("Half Done", tags=("Brand New Tag",)),
                                           NOTHING.with_all(HOT, True), sarah)
    assert database_state(demo_store) == before
    monkeypatch.undo()
    # The store is usable afterwards.
    new = demo_store.segments.create_segment(SegmentDraft("Half Done"), NOTHING, sarah)
    assert segment_rows(demo_store)["Half Done"].id == new


def test_create_losing_a_name_race_leaves_nothing(
    demo_store: Store, sarah: CurrentUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone creates the name between the check and the INSERT: the unique index refuses
    it, the user gets DuplicateSegmentName, and no tags or memberships are left behind."""
    before = database_state(demo_store)
    monkeypatch.setattr(segment_writes, "name_taken", lambda *a, **k: False)
    with pytest.raises(DuplicateSegmentName):
        demo_store.segments.create_segment(
            SegmentDraft("MARKETING ENGAGERS", tags=("Brand New Tag",)),
            NOTHING.with_all(HOT, True), sarah,
        )
    assert database_state(demo_store) == before


# -- edit (R7.3) ------------------------------------------------------------------------


def test_update_nonexistent_segment(demo_store: Store, sarah: CurrentUser) -> None:
    with pytest.raises(SegmentNotFound) as caught:
        demo_store.segments.update_segment(987654, 1, SegmentDraft("Ghost"), NOTHING, sarah)
    assert caught.value.segment_id == 987654
    assert demo_store.segments.segment_details(987654) is None


def test_update_checks_role_and_draft_first(
    demo_store: Store, sarah: CurrentUser, viewer: CurrentUser
) -> None:
    enterprise = segment_id(demo_store, "Enterprise Prospects")
    before = database_state(demo_store)
    with pytest.raises(NotAllowed):
        demo_store.segments.update_segment(enterprise, 1, SegmentDraft("Renamed"), NOTHING, viewer)
    with pytest.raises(InvalidSegment) as caught:
        demo_store.segments.update_segment(enterprise, 1, SegmentDraft(""), NOTHING, sarah)
    assert caught.value.errors[0].message == "Segment name is required."
    assert database_state(demo_store) == before


def test_segment_details(demo_store: Store) -> None:
    details = demo_store.segments.segment_details(segment_id(demo_store, "Enterprise Prospects"))
    assert details is not None
    assert (details.name, details.status, details.version, details.owner) == (
        "Enterprise Prospects", SegmentStatus.ACTIVE, 1, "Sarah Mitchell",
    )
    assert details.tags == ("Enterprise", "High Value", "Q1 2024")
    assert (details.members, details.active_campaigns) == (45, 1)
    assert details.as_draft() == SegmentDraft(
        "Enterprise Prospects", "High-value enterprise leads for Q1 2024",
        ("Enterprise", "High Value", "Q1 2024"), SegmentStatus.ACTIVE,
    )


def test_update_fields_and_add_contacts_in_one_save(
    demo_store: Store, sarah: CurrentUser
) -> None:
    engagers = segment_id(demo_store, "Marketing Engagers")
    sarah_johnson = contact_named(demo_store, "Sarah Johnson").id
    opened = demo_store.segments.segment_details(engagers)
    assert opened is not None and opened.version == 1
    draft = SegmentDraft("Engaged Marketers", "Reworded.", ("Marketing", "Newsletter Fans"),
                         SegmentStatus.INACTIVE)
    demo_store.segments.update_segment(engagers, opened.version, draft,
                                       NOTHING.toggled(sarah_johnson, True), sarah)
    after = demo_store.segments.segment_details(engagers)
    assert after is not None
    assert after.as_draft() == draft
    assert (after.version, after.members, after.updated_at) == (2, 29, NOW)
    assert after.created_at == opened.created_at
    assert sarah_johnson in member_ids(demo_store, engagers)
    assert tags_of(demo_store, engagers) == {"Marketing", "Newsletter Fans"}
    edited, added = activities(demo_store, engagers)[-2:]
    assert edited == (
        "Segment Edited",
        "Changed name “Marketing Engagers” → “Engaged Marketers”, description, "
        "status Active → Inactive, tags",
        "Sarah Mitchell", NOW,
    )
    assert (added[0], added[2], added[3]) == ("Contacts Added", "Sarah Mitchell", NOW)
    assert "Engaged Marketers" in segment_rows(demo_store)
    assert "Marketing Engagers" not in segment_rows(demo_store)


@ROWCOUNT_ENGINES
def test_update_returns_and_logs_the_added_count(demo_store: Store, sarah: CurrentUser) -> None:
    engagers = segment_id(demo_store, "Marketing Engagers")
    opened = demo_store.segments.segment_details(engagers)
    assert opened is not None
    selection = NOTHING.toggled(contact_named(demo_store, "Sarah Johnson").id, True)
    assert demo_store.segments.update_segment(engagers, 1, opened.as_draft(), selection, sarah) == 1
    assert activities(demo_store, engagers)[-1] == (
        "Contacts Added", "Added 1 contact", "Sarah Mitchell", NOW,
    )
    # Only contacts were added: the version an edit form holds stays valid.
    after = demo_store.segments.segment_details(engagers)
    assert after is not None and after.version == 1


def test_status_only_change(demo_store: Store, sarah: CurrentUser) -> None:
    enterprise = segment_id(demo_store, "Enterprise Prospects")
    opened = demo_store.segments.segment_details(enterprise)
    assert opened is not None
    draft = SegmentDraft(opened.name, opened.description, opened.tags, SegmentStatus.INACTIVE)
    assert demo_store.segments.update_segment(enterprise, opened.version, draft, NOTHING,
                                              sarah) == 0
    after = demo_store.segments.segment_details(enterprise)
    assert after is not None and (after.status, after.version) == (SegmentStatus.INACTIVE, 2)
    assert activities(demo_store, enterprise)[-1] == (
        "Status Changed", "Changed status Active → Inactive", "Sarah Mitchell", NOW,
    )


def test_saving_without_changes_writes_nothing(demo_store: Store, sarah: CurrentUser) -> None:
    enterprise = segment_id(demo_store, "Enterprise Prospects")
    opened = demo_store.segments.segment_details(enterprise)
    assert opened is not None
    before = database_state(demo_store)
    assert demo_store.segments.update_segment(enterprise, 1, opened.as_draft(), NOTHING, sarah) == 0
    assert database_state(demo_store) == before


def test_rename_in_another_case_is_allowed(demo_store: Store, sarah: CurrentUser) -> None:
    enterprise = segment_id(demo_store, "Enterprise Prospects")
    opened = demo_store.segments.segment_details(enterprise)
    assert opened is not None
    draft = SegmentDraft("ENTERPRISE prospects", opened.description, opened.tags, opened.status)
    demo_store.segments.update_segment(enterprise, 1, draft, NOTHING, sarah)
    after = demo_store.segments.segment_details(enterprise)
    assert after is not None and after.name == "ENTERPRISE prospects"


def test_rename_to_another_segments_name(demo_store: Store, sarah: CurrentUser) -> None:
    enterprise = segment_id(demo_store, "Enterprise Prospects")
    before = database_state(demo_store)
    draft = SegmentDraft("marketing engagers", "x", ("Enterprise",), SegmentStatus.ACTIVE)
    with pytest.raises(DuplicateSegmentName):
        demo_store.segments.update_segment(enterprise, 1, draft, NOTHING.with_all(HOT, True), sarah)
    assert database_state(demo_store) == before


def test_stale_save_is_refused(demo_store: Store, sarah: CurrentUser) -> None:
    """Sarah and Priya open Enterprise Prospects (version 1); Priya saves first; Sarah's
    save must not overwrite Priya's, and none of Sarah's changes (nor her added contacts)
    are written. The conflict carries Priya's version so the form can show both."""
    priya = demo_store.users.current_user("Priya Patel")
    enterprise = segment_id(demo_store, "Enterprise Prospects")
    opened = demo_store.segments.segment_details(enterprise)
    assert opened is not None and opened.version == 1
    theirs = SegmentDraft(opened.name, "Priya's description", opened.tags, opened.status)
    demo_store.segments.update_segment(enterprise, 1, theirs, NOTHING, priya)
    before = database_state(demo_store)

    mine = SegmentDraft("Sarah Renamed", "Sarah's description", ("Mine",),
                        SegmentStatus.DRAFT)
    with pytest.raises(SegmentConflict) as caught:
        demo_store.segments.update_segment(enterprise, 1, mine, NOTHING.with_all(HOT, True), sarah)
    current: SegmentDetails = caught.value.current
    assert (current.description, current.version, current.name) == (
        "Priya's description", 2, "Enterprise Prospects",
    )
    assert "Someone else changed this segment" in str(caught.value)
    assert database_state(demo_store) == before


def test_saving_a_deleted_segment(demo_store: Store, sarah: CurrentUser) -> None:
    inactive = segment_id(demo_store, "Inactive Subscribers")
    demo_store.segments.delete_segment(inactive, demo_store.users.current_user("James Carter"))
    with pytest.raises(SegmentNotFound) as caught:
        demo_store.segments.update_segment(inactive, 1, SegmentDraft("Still Here"), NOTHING, sarah)
    assert "no longer exists" in str(caught.value)
    assert "Still Here" not in segment_rows(demo_store)


def test_update_failing_midway_leaves_nothing(
    demo_store: Store, sarah: CurrentUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    enterprise = segment_id(demo_store, "Enterprise Prospects")
    before = database_state(demo_store)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(segment_writes, "log_activity", broken)
    draft = SegmentDraft("Half Renamed", "x", ("Brand New Tag",), SegmentStatus.ACTIVE)
    with pytest.raises(RuntimeError):
        demo_store.segments.update_segment(enterprise, 1, draft, NOTHING.with_all(HOT, True), sarah)
    assert database_state(demo_store) == before


def test_existing_demo_tags_do_not_block_an_edit(demo_store: Store, sarah: CurrentUser) -> None:
    inactive = segment_id(demo_store, "Inactive Subscribers")
    assert tags_of(demo_store, inactive) == {"Newsletter", "Re-engagement"}
    # What the edit form holds for it.
    draft = SegmentDraft("Inactive Subscribers", "New description",
                         ("Newsletter", "Re-engagement"), SegmentStatus.INACTIVE)
    demo_store.segments.update_segment(inactive, 1, draft, NOTHING, sarah)
    assert segment_rows(demo_store)["Inactive Subscribers"].description == "New description"


def test_a_stored_name_or_description_left_as_it_is_is_kept_exactly(
    demo_store: Store, sarah: CurrentUser,
) -> None:
    """I16.8: a name and description another tool stored (a bidi override, an ESC,
    double spaces: nothing segtui's rules accept today) are not judged again when an edit
    leaves them as they are, and are written back byte for byte; once changed they are
    judged like a new segment's."""
    name, description = "Zed\u202eAdmin\u202c  x", " About \x1b[31m red "
    with demo_store.orm_session() as session:
        session.add(Segment(name=name, description=description, status=SegmentStatus.ACTIVE,
                            created_at=NOW, updated_at=NOW))
    zed = segment_id(demo_store, name)
    opened = demo_store.segments.segment_details(zed)
    assert opened is not None
    draft = replace(opened.as_draft(), status=SegmentStatus.DRAFT)
    demo_store.segments.update_segment(zed, opened.version, draft, NOTHING, sarah)
    after = demo_store.segments.segment_details(zed)
    assert after is not None
    assert (after.name, after.description, after.status) == (name, description,
                                                            SegmentStatus.DRAFT)
    assert activities(demo_store, zed)[-1][:2] == ("Status Changed",
                                                   "Changed status Active → Draft")
    before = database_state(demo_store)
    for changed in (replace(draft, name=name + " Team"),
                    replace(draft, description=description + "more")):
        with pytest.raises(InvalidSegment) as refused:
            demo_store.segments.update_segment(zed, after.version, changed, NOTHING, sarah)
        assert [e.field for e in refused.value.errors] == [
            "name" if changed.name != name else "description"]
    assert database_state(demo_store) == before


# -- add contacts (R7.11) ---------------------------------------------------------------


def test_add_members_checks_role_and_segment(
    demo_store: Store, sarah: CurrentUser, viewer: CurrentUser
) -> None:
    enterprise = segment_id(demo_store, "Enterprise Prospects")
    before = database_state(demo_store)
    with pytest.raises(NotAllowed):
        demo_store.members.add_members(enterprise, NOTHING.with_all(ALL, True), viewer)
    with pytest.raises(SegmentNotFound):
        demo_store.members.add_members(987654, NOTHING.with_all(ALL, True), sarah)
    assert database_state(demo_store) == before


def test_add_members_adds_only_non_members(demo_store: Store, sarah: CurrentUser) -> None:
    enterprise = segment_id(demo_store, "Enterprise Prospects")
    members = member_ids(demo_store, enterprise)
    hot = {r.id for r in all_contacts(demo_store, HOT)}
    assert hot - members and hot & members  # some Hot Leads are members already
    with demo_store.reading() as conn:
        rows_before = conn.execute(select(func.count()).select_from(Membership)).scalar_one()

    demo_store.members.add_members(enterprise, NOTHING.with_all(HOT, True), sarah)
    assert member_ids(demo_store, enterprise) == members | hot
    with demo_store.reading() as conn:  # no second stay for those already in
        rows_after = conn.execute(select(func.count()).select_from(Membership)).scalar_one()
    assert rows_after == rows_before + len(hot - members)
    details = demo_store.segments.segment_details(enterprise)
    assert details is not None
    # "Last Modified" moves; the version an open edit form holds does not.
    assert (details.updated_at, details.version, details.members) == (
        NOW, 1, len(members | hot),
    )
    kind, _, performer, at = activities(demo_store, enterprise)[-1]
    assert (kind, performer, at) == ("Contacts Added", "Sarah Mitchell", NOW)
    assert segment_rows(demo_store)["Enterprise Prospects"].last_modified == NOW


@ROWCOUNT_ENGINES
def test_add_members_returns_and_logs_the_count(demo_store: Store, sarah: CurrentUser) -> None:
    enterprise = segment_id(demo_store, "Enterprise Prospects")
    new = demo_store.contacts.contact_count(ContactFilter(status=LeadStatus.HOT_LEAD,
                                                          not_in_segment=enterprise))
    assert new > 1
    selection = NOTHING.with_all(HOT, True)
    assert demo_store.members.add_members(enterprise, selection, sarah) == new
    assert activities(demo_store, enterprise)[-1][1] == f"Added {new} contacts"
    # Again: everyone selected is a member now, so nothing is added, logged or touched.
    before = database_state(demo_store)
    assert demo_store.members.add_members(enterprise, selection, sarah) == 0
    assert database_state(demo_store) == before


@ROWCOUNT_ENGINES
def test_adding_current_members_adds_nothing(demo_store: Store, sarah: CurrentUser) -> None:
    """R7.11: only contacts not already in the segment are added. (The segment's
    Last Modified is 20/01/2024; adding nobody must not move it to today.)"""
    enterprise = segment_id(demo_store, "Enterprise Prospects")
    members = ContactFilter(segment=Choice(key=str(enterprise), label="Enterprise Prospects"))
    before = database_state(demo_store)
    assert demo_store.members.add_members(enterprise, NOTHING.with_all(members, True), sarah) == 0
    assert demo_store.members.add_members(enterprise, NOTHING, sarah) == 0
    assert database_state(demo_store) == before


def test_past_members_can_be_added_back(demo_store: Store, sarah: CurrentUser) -> None:
    """Three contacts left Product Trial Users in the past: they are "not in the segment",
    and adding them back opens a new stay next to the old one (history kept)."""
    trial = segment_id(demo_store, "Product Trial Users")
    with demo_store.reading() as conn:
        past = list(conn.execute(
            select(Membership.contact_id)
            .where(Membership.segment_id == trial, Membership.removed_at.is_not(None))
        ).scalars())
    selection = NOTHING
    for contact in past:
        selection = selection.toggled(contact, True)
    assert demo_store.contacts.selection_count(selection) == 3
    demo_store.members.add_members(trial, selection, sarah)
    assert set(past) <= member_ids(demo_store, trial)
    assert len(member_ids(demo_store, trial)) == 62 + 3
    with demo_store.reading() as conn:
        stays = conn.execute(
            select(func.count()).select_from(Membership)
            .where(Membership.segment_id == trial, Membership.contact_id.in_(past))
        ).scalar_one()
    assert stays == 6


def test_add_contacts_picker_base(demo_store: Store, sarah: CurrentUser) -> None:
    """R7.11 flow: the picker lists non-members; select all of them adds them all."""
    engagers = segment_id(demo_store, "Marketing Engagers")
    base = ContactFilter(not_in_segment=engagers)
    selection = NOTHING.with_all(base, True)
    assert selection.single_select_all() == base
    assert demo_store.contacts.selection_count(selection) == 255 - 28
    demo_store.members.add_members(engagers, selection, sarah)
    assert demo_store.contacts.contact_count(base) == 0
    assert segment_rows(demo_store)["Marketing Engagers"].contact_count == 255
    assert demo_store.contacts.contact_count(ALL) == 255


# -- delete (R7.4) ----------------------------------------------------------------------


def test_viewer_can_neither_pause_nor_delete(demo_store: Store, viewer: CurrentUser) -> None:
    enterprise = segment_id(demo_store, "Enterprise Prospects")
    inactive = segment_id(demo_store, "Inactive Subscribers")
    q1 = campaign_id(demo_store, "Q1 Enterprise Outreach")
    before = database_state(demo_store)
    with pytest.raises(NotAllowed) as paused:
        demo_store.segments.pause_campaigns(enterprise, [q1], viewer)
    assert str(paused.value) == "Alex Kim (Viewer) is not allowed to pause campaigns."
    for seg in (enterprise, inactive):
        with pytest.raises(NotAllowed) as deleted:
            demo_store.segments.delete_segment(seg, viewer)
        assert str(deleted.value) == "Alex Kim (Viewer) is not allowed to change segments."
    assert database_state(demo_store) == before
    assert campaign_status(demo_store, "Q1 Enterprise Outreach") is CampaignStatus.ACTIVE


def test_pause_campaigns(demo_store: Store, sarah: CurrentUser) -> None:
    enterprise = segment_id(demo_store, "Enterprise Prospects")
    q1 = campaign_id(demo_store, "Q1 Enterprise Outreach")
    demo_paused = campaign_id(demo_store, "Product Demo Campaign")
    assert demo_store.segments.pause_campaigns(enterprise, [q1, demo_paused], sarah) == 1
    assert campaign_status(demo_store, "Q1 Enterprise Outreach") is CampaignStatus.PAUSED
    assert campaign_status(demo_store, "Product Demo Campaign") is CampaignStatus.PAUSED
    with demo_store.reading() as conn:
        version = conn.execute(select(Campaign.version).where(Campaign.id == q1)).scalar_one()
    assert version == 2
    assert activities(demo_store, enterprise)[-1] == (
        "Campaigns Paused", "Paused Q1 Enterprise Outreach", "Sarah Mitchell", NOW,
    )
    # Nothing left to pause: nothing written.
    before = database_state(demo_store)
    assert demo_store.segments.pause_campaigns(enterprise, [q1], sarah) == 0
    assert database_state(demo_store) == before


def test_pause_for_a_deleted_segment(demo_store: Store, sarah: CurrentUser) -> None:
    q1 = campaign_id(demo_store, "Q1 Enterprise Outreach")
    before = database_state(demo_store)
    with pytest.raises(SegmentNotFound):
        demo_store.segments.pause_campaigns(987654, [q1], sarah)
    assert database_state(demo_store) == before


def test_delete_preview_of_enterprise_prospects(demo_store: Store) -> None:
    """R8: Q1 Enterprise Outreach (Active), Product Demo Campaign (Paused), Holiday
    Promotion (Completed); plus the sample notes (2) and timeline (5 activities)."""
    preview = demo_store.segments.delete_preview(segment_id(demo_store, "Enterprise Prospects"))
    assert preview is not None
    assert preview.segment.name == "Enterprise Prospects"
    assert {(c.name, c.status) for c in preview.campaigns} == {
        ("Q1 Enterprise Outreach", CampaignStatus.ACTIVE),
        ("Product Demo Campaign", CampaignStatus.PAUSED),
        ("Holiday Promotion", CampaignStatus.COMPLETED),
    }
    assert [c.name for c in preview.active_campaigns] == ["Q1 Enterprise Outreach"]
    assert (preview.notes, preview.activities, preview.segment.members) == (2, 5, 45)


def test_delete_preview_of_a_missing_segment(demo_store: Store) -> None:
    assert demo_store.segments.delete_preview(987654) is None


def test_active_campaign_blocks_delete_until_paused(
    demo_store: Store, sarah: CurrentUser
) -> None:
    enterprise = segment_id(demo_store, "Enterprise Prospects")
    members = member_ids(demo_store, enterprise)
    before = database_state(demo_store)
    with pytest.raises(SegmentInUse) as caught:
        demo_store.segments.delete_segment(enterprise, sarah)
    message = str(caught.value)
    assert message.startswith("This segment cannot be deleted because it is being used in "
                              "active campaigns.")
    assert "You need to pause 1 active campaign before deleting this segment." in message
    assert [c.name for c in caught.value.active] == ["Q1 Enterprise Outreach"]
    assert database_state(demo_store) == before

    preview = demo_store.segments.delete_preview(enterprise)
    assert preview is not None
    paused = demo_store.segments.pause_campaigns(enterprise,
                                                 [c.id for c in preview.active_campaigns], sarah)
    assert paused == 1
    after_pause = demo_store.segments.delete_preview(enterprise)
    assert after_pause is not None and after_pause.active_campaigns == ()

    demo_store.segments.delete_segment(enterprise, sarah)
    assert demo_store.segments.segment_details(enterprise) is None
    assert "Enterprise Prospects" not in segment_rows(demo_store)
    with demo_store.reading() as conn:
        for model in (Membership, Note, Activity):
            left = conn.execute(select(func.count()).select_from(model)
                                .where(model.segment_id == enterprise)).scalar_one()
            assert left == 0, model.__name__
        for table in (segment_tags, campaign_segments):
            left = conn.execute(select(func.count()).select_from(table)
                                .where(table.c.segment_id == enterprise)).scalar_one()
            assert left == 0, table.name
        # Contacts and campaigns stay; so do the shared tags.
        assert conn.execute(select(func.count()).select_from(Contact)).scalar_one() == 255
        assert conn.execute(select(func.count()).select_from(Contact)
                            .where(Contact.id.in_(members))).scalar_one() == 45
        assert conn.execute(select(func.count()).select_from(Campaign)).scalar_one() == 6
        assert conn.execute(select(Tag.id).where(Tag.name == "Q1 2024")).first() is not None
    assert demo_store.contacts.contact_count(ALL) == 255
    assert demo_store.segments.dashboard_metrics().total_segments == 3


def test_delete_segment_without_campaigns(demo_store: Store) -> None:
    admin = demo_store.users.current_user("James Carter")
    inactive = segment_id(demo_store, "Inactive Subscribers")
    preview = demo_store.segments.delete_preview(inactive)
    assert preview is not None and preview.campaigns == ()
    demo_store.segments.delete_segment(inactive, admin)
    assert member_ids(demo_store, inactive) == set()
    assert activities(demo_store, inactive) == []
    m = demo_store.segments.dashboard_metrics()
    assert (m.total_segments, m.total_contacts) == (3, 255 - 120)
    assert demo_store.contacts.contact_count(ALL) == 255
    # Deleting it again: someone else already did.
    with pytest.raises(SegmentNotFound):
        demo_store.segments.delete_segment(inactive, admin)


def test_delete_after_a_campaign_was_paused_elsewhere(
    demo_store: Store, sarah: CurrentUser
) -> None:
    """The block is checked when deleting, not when the dialog opened."""
    trial = segment_id(demo_store, "Product Trial Users")
    with pytest.raises(SegmentInUse):
        demo_store.segments.delete_segment(trial, sarah)
    with demo_store.orm_session() as session:  # another user pauses it from somewhere else
        session.execute(update(Campaign).where(Campaign.name == "Trial Onboarding Series")
                        .values(status=CampaignStatus.PAUSED))
    demo_store.segments.delete_segment(trial, sarah)
    assert "Product Trial Users" not in segment_rows(demo_store)
