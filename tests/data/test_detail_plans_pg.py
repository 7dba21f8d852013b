"""How PostgreSQL runs the segment detail screen's tabs and the data quality report (P13):
the shape of each statement fixed for a million contacts, checked from its plan,
not from timing (as test_rule_plans.py does for SQLite).

At a million contacts the AI Insights tab took 400 s on PostgreSQL: its shared-email check,
`lower(email) IN (SELECT ... GROUP BY ... HAVING count(*) > 1)`, became a SubPlan over an
aggregate of every contact that the planner searched once per member. Each test here fails
on the statement as it was and passes on its replacement (docs/benchmarks.md has the
figures).

A plan depends on the planner's statistics, and a database of a few hundred rows would make
a sequential scan of anything the cheapest plan. So the database is vacuumed and analysed
(the visibility map makes index-only scans what they are at scale), and the tests that ask
which index a statement reads turn sequential (and, where said, bitmap) scans off: the
question is whether the statement *can* be answered from that index, which is what its
shape decides. The tests about aggregates and joins don't depend on costs at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Connection, select

from benchmarks.bench import captured, largest_segment
from segtui.core import clock
from segtui.core.metrics import last_days
from segtui.core.records import Keyset
from segtui.data.db.keyset import Window
from segtui.data.db.models import Company, Contact
from segtui.data.queries import member_page
from segtui.data.store import Store
from tests.factories import add_segment

pytestmark = pytest.mark.postgres

Plan = dict[str, Any]


@pytest.fixture
def engine_name() -> str:
    return "postgresql"


@pytest.fixture
def store(demo_store: Store) -> Store:
    """The demo database on PostgreSQL, with a contact written without its email key (as
    another program would) sharing an email with a keyed one, and two contacts of the same
    name at the same company, so that every statement of the shared-email and same-name
    checks runs; then vacuumed and analysed."""
    with demo_store.orm_session() as session:
        acme = Company(name="Plan Probe Co")
        session.add(acme)
        for name, email, keyless in (("Plan Keyed", "plan.twin@example.com", False),
                                     ("Plan Keyless", "Plan.Twin@example.com ", True),
                                     ("Plan Same", "plan.same1@example.com", False),
                                     ("plan same", "plan.same2@example.com", False)):
            contact = Contact(name=name, email=email, company=acme, lead_status="New",
                              quality_score=50, created_at=datetime(2023, 1, 1))
            if keyless:
                contact.email_key = None
            session.add(contact)
    with demo_store.engine.connect().execution_options(
            isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    return demo_store


def plans(store: Store, operation: Callable[[], object], *settings: str
          ) -> list[tuple[str, Plan]]:
    """Each query `operation` sends, with its plan under `settings` (SET statements) and
    the `SET LOCAL`s its own connection had made when it sent it (sql.planned_for_members),
    as the statement was planned there."""
    with captured(store, by_connection=True) as sent:
        operation()
    found = []
    held: dict[int, dict[str, str]] = {}
    with store.engine.connect() as conn:
        for setting in settings:
            conn.exec_driver_sql(setting)
        for statement, parameters, connection in sent:
            local = held.setdefault(connection, {})
            if statement.startswith("SET LOCAL "):
                local[statement.split()[2]] = statement  # the latest, TO DEFAULT too
                continue
            if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            # This connection's SETs; what another connection set is undone here.
            for name in {name for each in held.values() for name in each}:
                conn.exec_driver_sql(local.get(name, f"SET LOCAL {name} TO DEFAULT"))
            row = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}",
                                       parameters).scalar_one()
            found.append((" ".join(statement.split()), row[0]["Plan"]))
        conn.rollback()
    assert found
    return found


def nodes(plan: Plan) -> Iterator[Plan]:
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def subplans_over_aggregates(plan: Plan) -> list[str]:
    """SubPlans (run per outer row, or hashed from a materialised input) whose input is an
    aggregate: the shape that took 400 s. InitPlans (run once) are not counted."""
    return [node.get("Subplan Name", "?") for node in nodes(plan)
            if node.get("Parent Relationship") == "SubPlan"
            and any(n["Node Type"] == "Aggregate" for n in nodes(node))]


def scans(plan: Plan, relation: str) -> list[Plan]:
    return [n for n in nodes(plan) if n.get("Relation Name") == relation]


def outside_subplans(plan: Plan) -> Iterator[Plan]:
    """The nodes of the statement's own tree, not those of its per-row SubPlans."""
    yield plan
    for child in plan.get("Plans", []):
        if child.get("Parent Relationship") != "SubPlan":
            yield from outside_subplans(child)


def statement_with(found: list[tuple[str, Plan]], *fragments: str) -> Plan:
    matching = [plan for sql, plan in found if all(f in sql for f in fragments)]
    assert len(matching) == 1, (fragments, [sql[:120] for sql, _ in found])
    return matching[0]


# -- AI Insights ---------------------------------------------------------------------------


def test_insights_never_search_an_aggregate_per_row(store: Store) -> None:
    segment = largest_segment(store)
    for sql, plan in plans(store, lambda: store.metrics.insights(segment)):
        assert subplans_over_aggregates(plan) == [], sql


def test_shared_emails_are_read_from_the_index_of_contacts_without_a_key(
        store: Store) -> None:
    """Only contacts written without their email key can share an email (the unique index
    holds the rest): they are read from the partial index that holds only them."""
    segment = largest_segment(store)
    found = plans(store, lambda: store.metrics.insights(segment), "SET enable_seqscan = off")
    plan = statement_with(found, "contacts.email_key IS NULL", "contacts.email IS NOT NULL")
    assert {n.get("Index Name") for n in scans(plan, "contacts")} == {
        "ix_contacts_keyless_email"}
    # Nothing else groups or folds every contact's email any more.
    for sql, _ in found:
        assert "lower(contacts.email)" not in sql, sql


def test_insights_read_the_members_contacts_once(store: Store) -> None:
    """One pass over the members joined to their contacts gives the count, the profile,
    the average score, the member data quality and "gone quiet" (there were five)."""
    segment = largest_segment(store)
    passes = [sql for sql, plan in plans(store, lambda: store.metrics.insights(segment))
              if scans_outside(plan, "memberships") and scans_outside(plan, "contacts")
              and "contacts.email_key IN" not in sql]  # the shared emails' few holders
    assert len(passes) == 1, passes


def scans_outside(plan: Plan, relation: str) -> bool:
    return any(n.get("Relation Name") == relation for n in outside_subplans(plan))


def test_lookalikes_are_counted_from_the_score_index_alone(store: Store) -> None:
    """All contacts matching the profile, counted from an index holding the score, the
    status and the company alone (ix_contacts_score_status_company, or since 0026
    ix_contacts_status_rules, which starts from the status: 28 -> 12-17 ms at 1M); no
    contact is probed for membership (the members matching are known from the pass)."""
    segment = largest_segment(store)
    found = plans(store, lambda: store.metrics.insights(segment), "SET enable_seqscan = off",
                  "SET enable_bitmapscan = off")
    plan = statement_with(found, "SELECT count(*)", "FROM contacts",
                          "contacts.quality_score >=")
    [scan] = scans(plan, "contacts")
    assert scan["Node Type"] == "Index Only Scan", scan
    assert scan.get("Index Name") in ("ix_contacts_score_status_company",
                                      "ix_contacts_status_rules"), scan
    assert scans(plan, "memberships") == []


def test_overlap_is_counted_per_segment_before_segments_are_joined(store: Store) -> None:
    segment = largest_segment(store)
    plan = statement_with(plans(store, lambda: store.metrics.insights(segment)),
                          "FROM segments JOIN", "memberships_1")
    aggregates = [n for n in nodes(plan) if n["Node Type"] == "Aggregate"]
    assert aggregates
    for aggregate in aggregates:  # segments are joined to the counts, not under them
        assert scans(aggregate, "segments") == []


# -- Performance ---------------------------------------------------------------------------


def test_performance_never_searches_an_aggregate_per_row(store: Store) -> None:
    segment = largest_segment(store)
    for sql, plan in plans(store, lambda: store.metrics.performance_report(segment)):
        assert subplans_over_aggregates(plan) == [], sql


def test_sends_and_their_campaigns_come_from_an_index_alone(store: Store) -> None:
    """The sends of the last 60 days with their campaigns: every read of `events` in that
    statement is an index-only scan (ix_events_type_time_contact holds the campaign)."""
    segment = largest_segment(store)
    found = plans(store, lambda: store.metrics.performance_report(segment),
                  "SET enable_seqscan = off", "SET enable_bitmapscan = off")
    plan = statement_with(found, "sends")
    event_scans = scans(plan, "events")
    assert event_scans
    assert {n["Node Type"] for n in event_scans} == {"Index Only Scan"}, event_scans


def test_window_conversions_come_from_the_conversions_index_alone(store: Store) -> None:
    """The conversions of the last two 30-day windows with their revenue: `events` is read
    by an index-only scan of ix_events_conversions (conversions only, with the revenue),
    where each conversion's row was read from the table for its revenue (25,000 pages at
    a million contacts). The statement names the type as a literal, which the partial
    index needs of it."""
    segment = largest_segment(store)
    found = plans(store, lambda: store.metrics.performance_report(segment),
                  "SET enable_seqscan = off", "SET enable_bitmapscan = off")
    plan = statement_with(found, "events.type = 'converted'", "events.revenue_cents")
    assert [(n["Node Type"], n.get("Index Name")) for n in scans(plan, "events")] == [
        ("Index Only Scan", "ix_events_conversions")]


def test_conversions_and_health_do_not_read_the_members_events(store: Store) -> None:
    """Conversions, revenue and the 60-day health come from the contacts' rollups in one
    pass over the members; `events` appears only in per-row probes of the few members
    whose newest action is dated after today."""
    segment = largest_segment(store)
    found = plans(store, lambda: store.metrics.performance_report(segment))
    plan = statement_with(found, "sum(contact_figures.purchases)")
    assert not scans_outside(plan, "events")


# -- Analytics -----------------------------------------------------------------------------


def test_analytics_never_search_an_aggregate_per_row(store: Store) -> None:
    segment = largest_segment(store)
    for sql, plan in plans(store, lambda: store.metrics.analytics_report(segment)):
        assert subplans_over_aggregates(plan) == [], sql


def test_regions_and_sizes_are_one_pass_without_events(store: Store) -> None:
    segment = largest_segment(store)
    found = plans(store, lambda: store.metrics.analytics_report(segment))
    plan = statement_with(found, "contacts.region", "companies.size")
    assert scans(plan, "events") == []  # revenue is the spent_cents rollup


# -- the members' rows sought through one array of their ids (all tabs and the cards) ------


def member_array_scans(plan: Plan, relation: str) -> list[Plan]:
    """The scans of `relation` that seek it with the members' ids as one array (`=
    ANY ($n)`, the array read once in an InitPlan), outside per-row SubPlans."""
    return [n for n in outside_subplans(plan) if n.get("Relation Name") == relation
            and "= ANY ($" in n.get("Index Cond", "")]


def initplan_only(plan: Plan, relation: str) -> bool:
    """`relation` is read only in InitPlans (once per statement), never joined per row."""
    def walk(node: Plan, inside: bool) -> Iterator[bool]:
        inside = inside or node.get("Parent Relationship") == "InitPlan"
        if node.get("Relation Name") == relation:
            yield inside
        for child in node.get("Plans", []):
            if child.get("Parent Relationship") != "SubPlan":
                yield from walk(child, inside)
    found = list(walk(plan, False))
    return bool(found) and all(found)


def test_the_cards_side_figures_are_one_statement_read_from_indexes(store: Store) -> None:
    """The unsubscribed members, the campaigns and the all-contacts baseline are one
    statement (a round trip each waited its turn for the interpreter while the screen was
    built): `events` and `contacts` are read from indexes alone, the unsubscribes walked
    and each probed for membership, never the members' events."""
    segment = largest_segment(store)
    found = plans(store, lambda: store.metrics.segment_summary(segment, last_days(clock.today())),
                  "SET enable_seqscan = off", "SET enable_bitmapscan = off")
    plan = statement_with(found, "count(distinct(events.contact_id))", "FROM contacts")
    reads = [n for n in nodes(plan) if n.get("Relation Name") in ("events", "contacts")]
    assert reads and {n["Node Type"] for n in reads} == {"Index Only Scan"}
    for n in reads:  # the events of one type: a range of an index led by the type
        if n["Relation Name"] == "events":
            assert n["Index Cond"].lstrip("(").startswith("type"), n["Index Cond"]
    assert len(found) == 4  # the header, the side figures, the pass's two halves


@pytest.mark.parametrize(("operation", "fragments", "relation"), [
    ("cards", ("contact_figures.last_engaged_at >=",), "contact_figures"),
    ("performance", ("sum(contact_figures.purchases)",), "contact_figures"),
    ("analytics", ("contacts.region", "companies.size"), "contacts"),
    ("insights", ("companies.size, contacts.lead_status",), "contacts"),  # member groups
])
def test_member_passes_walk_the_contacts_key_with_the_members_ids(
        store: Store, operation: str, fragments: tuple[str, ...], relation: str) -> None:
    """Each tab's pass over its members' contacts seeks pk_contacts with the members' ids
    as one sorted array: no hash of the members probed by a scan of every contact (the
    parallel sequential scan of 1M contacts PostgreSQL chose for the join, two to three
    times the CPU), and the memberships are read once, not joined. The cards and the
    Performance tab's member totals seek the contacts' narrow copies instead
    (contact_figures, data/derived/figures.py) and never read `contacts`."""
    segment = largest_segment(store)
    calls: dict[str, Callable[[], object]] = {
        "cards": lambda: store.metrics.segment_summary(segment, last_days(clock.today())),
        "performance": lambda: store.metrics.performance_report(segment),
        "analytics": lambda: store.metrics.analytics_report(segment),
        "insights": lambda: store.metrics.insights(segment),
    }
    # Bitmap scans off too: a bitmap of the array's ids would read the pages in the same
    # order; the question is whether the pass seeks the key with the array.
    found = plans(store, calls[operation], "SET enable_seqscan = off",
                  "SET enable_bitmapscan = off")
    passes = [plan for sql, plan in found if all(f in sql for f in fragments)]
    assert passes
    for plan in passes:  # the cards read a large segment in two halves
        assert [n.get("Index Name") for n in member_array_scans(plan, relation)] == [
            f"pk_{relation}"]
        assert initplan_only(plan, "memberships")
        if relation != "contacts":
            assert scans(plan, "contacts") == []


@pytest.mark.parametrize(("operation", "fragments"), [
    ("insights", ("companies.size, contacts.lead_status",)),  # the member groups
    ("analytics", ("contacts.region", "companies.size")),  # regions and sizes
])
def test_members_are_joined_to_companies_and_grouped_by_hashing(
        store: Store, operation: str, fragments: tuple[str, ...]) -> None:
    """The members found through the array are joined to `companies` by a hash of the
    companies and grouped by a hash (sql.planned_for_members): PostgreSQL guesses the
    array holds 10 ids, and for 10 rows it sought `companies` once per member and sorted
    the members to group them (101,291 seeks and a sort spilled to disk at scale). Before
    that, Insights' member groups joined the memberships and read every contact, for each
    half of the members (P7)."""
    segment = largest_segment(store)
    calls: dict[str, Callable[[], object]] = {
        "insights": lambda: store.metrics.insights(segment),
        "analytics": lambda: store.metrics.analytics_report(segment),
    }
    passes = [plan for sql, plan in plans(store, calls[operation])
              if all(f in sql for f in fragments)]
    assert passes
    for plan in passes:
        shape = list(outside_subplans(plan))
        assert not [n for n in shape if n["Node Type"] == "Nested Loop"]
        joins = [n for n in shape if n["Node Type"] == "Hash Join"]
        assert joins and all(scans(join, "companies") for join in joins)
        aggregates = [n for n in shape if n["Node Type"] == "Aggregate"]
        assert aggregates
        assert {n["Strategy"] for n in aggregates} == {"Hashed"}
        for aggregate in aggregates:  # nothing under the grouping is sorted
            assert not [n for n in nodes(aggregate) if n["Node Type"] == "Sort"]
        assert initplan_only(plan, "memberships")


def test_the_trend_hashes_its_distinct_triples(store: Store) -> None:
    """The Engagement Trend makes the members' (member, month, line) triples distinct and
    counts them per month and line by hashing: sorted, PostgreSQL sorted the 288,051
    events, then the 118,290 triples (both spilled to disk at scale, P7)."""
    segment = largest_segment(store)
    plan = statement_with(plans(store, lambda: store.metrics.performance_report(segment)),
                          "triples")
    shape = list(outside_subplans(plan))
    assert not [n for n in shape if n["Node Type"] in ("Sort", "Unique")]
    assert [n["Strategy"] for n in shape if n["Node Type"] == "Aggregate"] == [
        "Hashed", "Hashed"]


def test_the_planner_settings_end_with_their_statements(store: Store) -> None:
    """planned_for_members holds for its statements only: the read transaction's next
    statement is planned with nested loops and sorts as they were."""
    from segtui.data.db.sql import planned_for_members

    with store.reading() as conn:
        def shown() -> tuple[str, str, str]:
            row = conn.exec_driver_sql("SELECT current_setting('enable_nestloop'), "
                                       "current_setting('enable_sort'), "
                                       "current_setting('work_mem')").one()
            return (str(row[0]), str(row[1]), str(row[2]))

        before = shown()
        with planned_for_members(conn):
            assert shown() == ("off", "off", "32MB")
        assert shown() == before


def test_overlap_seeks_the_members_other_stays_with_their_ids(store: Store) -> None:
    """The members' other current stays come from ix_memberships_contact, sought with the
    members' ids as one array, not from a hash join of all memberships (1.8M at scale)."""
    segment = largest_segment(store)
    plan = statement_with(plans(store, lambda: store.metrics.insights(segment),
                                "SET enable_seqscan = off", "SET enable_bitmapscan = off"),
                          "FROM segments JOIN", "memberships_1")
    assert [n.get("Index Name") for n in member_array_scans(plan, "memberships")] == [
        "ix_memberships_contact"]
    assert not [n for n in nodes(plan) if n["Node Type"] in ("Hash Join", "Merge Join")
                and scans(n, "memberships")]


@pytest.mark.parametrize(("operation", "fragment"), [
    ("performance", "triples"),  # the Engagement Trend
    ("analytics", "per_member"),  # the weekly scores
    ("insights", "count(distinct(CASE WHEN (events.type IN"),  # the engagement drivers
])
def test_members_events_are_sought_per_member(store: Store, operation: str,
                                              fragment: str) -> None:
    """The members' events of a range are sought with the members' ids as one array, not
    every event of the range (2.84M for the trend at scale) probed against a hash of the
    members. At scale PostgreSQL seeks ix_events_contact with the array (0.28 against 0.80
    s of CPU); in this small database the range of ix_events_type_time_contact is cheaper
    and the array a filter on it. Either way the members are read once, as the array, and
    no join of events with memberships is left for the costs to choose."""
    segment = largest_segment(store)
    calls: dict[str, Callable[[], object]] = {
        "performance": lambda: store.metrics.performance_report(segment),
        "analytics": lambda: store.metrics.analytics_report(segment),
        "insights": lambda: store.metrics.insights(segment),
    }
    plan = statement_with(plans(store, calls[operation], "SET enable_seqscan = off",
                                "SET enable_bitmapscan = off"), fragment)
    event_scans = [n for n in outside_subplans(plan) if n.get("Relation Name") == "events"]
    assert event_scans
    for scan in event_scans:
        assert "contact_id = ANY ($" in scan.get("Index Cond", "") + scan.get("Filter", "")
    assert initplan_only(plan, "memberships")


# -- the data quality report ---------------------------------------------------------------


def test_quality_report_never_searches_an_aggregate_per_row(store: Store) -> None:
    found = plans(store, store.quality.quality_report)
    for sql, plan in found:
        assert subplans_over_aggregates(plan) == [], sql
    report = store.quality.quality_report()  # both kinds of duplicate were listed
    assert (report.duplicate_email_groups, report.duplicate_name_groups) == (1, 1)
    for sql, _ in found:
        assert "lower(trim(contacts.email))" not in sql, sql


# -- Contacts: the member list's pages (data/queries/member_page.py) -------------------------------


def member_plans(store: Store, plan: Callable[[Connection], object], *settings: str
                 ) -> list[tuple[str, Plan]]:
    def run() -> object:
        with store.reading() as conn:
            return plan(conn)

    return plans(store, run, *settings)


WALK = ("SET enable_seqscan = off", "SET enable_bitmapscan = off", "SET enable_sort = off",
        "SET enable_incremental_sort = off")


@pytest.mark.parametrize("window", [Window(), Window(after=Keyset("M", 0)),
                                    Window(before=Keyset("M", 0)), Window(at_end=True)])
def test_a_dense_page_walks_the_name_index_without_sorting(store: Store,
                                                           window: Window) -> None:
    """The page's keys are a range of ix_contacts_name (name, id) read from the index
    alone, in its order, each contact checked against the membership index: nothing is
    sorted, whatever the segment's size (with the name-only index it was an Incremental
    Sort over heap reads)."""
    segment = largest_segment(store)
    bound, page = member_plans(
        store, lambda conn: member_page.dense_keys(conn, segment, window, 10, reach=30),
        *WALK)
    for sql, plan in (bound, page):
        assert [(n["Node Type"], n.get("Index Name")) for n in scans(plan, "contacts")] == [
            ("Index Only Scan", "ix_contacts_name")], sql
        assert not [n for n in nodes(plan) if "Sort" in n["Node Type"]], sql
    keyset = scans(page[1], "contacts")[0]["Index Cond"]
    assert "ROW(name, id) <" in keyset or "ROW(name, id) >" in keyset, keyset
    probes = scans(page[1], "memberships")
    assert probes and all(n["Node Type"] in ("Index Only Scan", "Index Scan")
                          and "segment_id" in n["Index Cond"] for n in probes), probes


def test_a_sparse_page_starts_from_the_memberships(store: Store) -> None:
    """A small segment's members first (materialised, so that the planner can't turn it
    into a walk of the name index, which members bunched in the alphabet would make long),
    each contact found by its key, then sorted."""
    with store.reading() as conn:
        few = list(conn.execute(select(Contact.id).order_by(Contact.id).limit(3)).scalars())
    segment = add_segment(store, "Plan Sparse", members=few)
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE memberships")
    [(sql, plan)] = member_plans(
        store, lambda conn: member_page.sparse_keys(conn, segment, Window(), 10),
        # A few hundred contacts are hashed whole cheaper than looked up one by one; the
        # question is whether the members can lead, the shape at scale.
        "SET enable_seqscan = off", "SET enable_bitmapscan = off",
        "SET enable_hashjoin = off", "SET enable_mergejoin = off")
    assert "MATERIALIZED" in sql
    assert any(n["Node Type"] == "CTE Scan" for n in nodes(plan))
    assert any(n["Node Type"] == "Sort" for n in nodes(plan))
    members = scans(plan, "memberships")
    assert members and all("segment_id" in n["Index Cond"] for n in members), members
    assert [(n["Node Type"], n.get("Index Name")) for n in scans(plan, "contacts")] == [
        ("Index Scan", "pk_contacts")]


def test_the_plan_is_chosen_from_two_index_reads(store: Store) -> None:
    """The highest contact id (the key's last entry) and the members counted up to a bound
    from the membership index alone."""
    segment = largest_segment(store)
    highest, counted = member_plans(
        store, lambda conn: member_page.choose_plan(conn, segment, 101),
        "SET enable_seqscan = off", "SET enable_bitmapscan = off")
    assert [(n["Node Type"], n.get("Index Name")) for n in scans(highest[1], "contacts")] == [
        ("Index Only Scan", "pk_contacts")]
    assert {n["Node Type"] for n in scans(counted[1], "memberships")} == {"Index Only Scan"}
