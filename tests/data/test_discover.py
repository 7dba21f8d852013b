"""Discover over a database (C22.1-C22.3), on both engines: planted clusters are found
again, the same seed gives the same clusters, each rule's precision and recall equal a
brute-force count by the rules' own Python evaluator (tests/data/test_rule_sql.py),
keeping a cluster makes exactly its members or exactly the rule's, a cancelled run leaves
nothing behind, and the populations that can't be clustered get a clear message."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score  # type: ignore[import-untyped]
from sqlalchemy import func, select

from segtui.core.cancel import Cancelled, Scope, acting_for
from segtui.core.discover.model import (
    Dimension,
    DiscoverError,
    DiscoverRequest,
    Discovery,
    RuleError,
)
from segtui.core.enums import (
    CompanySize,
    EventType,
    LeadStatus,
    MembershipSource,
    SegmentStatus,
)
from segtui.core.rules.language import parse
from segtui.core.segments import DuplicateSegmentName
from segtui.data.db.engine import sqlite_url
from segtui.data.db.models import Company, Contact, EngagementEvent, Membership, Segment, Tag
from segtui.data.db.sql import current_membership
from segtui.data.store import Store
from tests.conftest import DEMO_TODAY, ENGINES, _drop_pg_database, _pg_database
from tests.data.test_rule_sql import Firm, Happening, Person, holds

DIMS = (Dimension.SIZE, Dimension.INDUSTRY, Dimension.SPENT, Dimension.ENGAGED)
PER_GROUP = 40
NOW = datetime.combine(DEMO_TODAY, datetime.min.time()) + timedelta(hours=12)
# Tags with markup and an escape code: shown literally wherever a trait names them.
HOSTILE_TAG = "[bold]VIP[/] \x1b[31m"


def _person(group: int, n: int, rng: random.Random) -> Person:
    """Three groups apart on every chosen dimension: enterprise software big spenders
    engaged this week, cold SMB retailers who never did anything, mid-market healthcare
    small buyers last engaged six weeks ago."""
    def days_ago(days: float) -> datetime:
        return NOW - timedelta(days=days)

    tags: tuple[str, ...] = ()
    if group == 0:
        firm = Firm(f"Big {n % 5}", CompanySize.ENTERPRISE, "Software")
        events = [*(Happening(EventType.CONVERTED, days_ago(200 + i),
                              rng.randint(180_000, 220_000)) for i in range(3)),
                  Happening(EventType.OPENED, days_ago(rng.randint(0, 6))),
                  Happening(EventType.OPENED, days_ago(rng.randint(0, 6)))]
        status, tags = LeadStatus.CUSTOMER, (HOSTILE_TAG,)
    elif group == 1:
        firm = Firm(f"Small {n % 5}", CompanySize.SMB, "Retail")
        events, status = [], LeadStatus.COLD
    else:
        firm = Firm(f"Mid {n % 5}", CompanySize.MID_MARKET, "Healthcare")
        events = [Happening(EventType.CONVERTED, days_ago(100), rng.randint(1_800, 2_200)),
                  Happening(EventType.OPENED, days_ago(rng.randint(40, 50)))]
        status = LeadStatus.NURTURING
    return Person(key=f"g{group}-{n}", name=f"Person {group}-{n}", status=status, score=50,
                  created=datetime(2023, 1, 1), firm=firm, tags=tags, events=tuple(events))


PEOPLE = [_person(g, n, random.Random(g * 1000 + n)) for g in range(3) for n in range(PER_GROUP)]
GROUP = {p.key: int(p.key[1]) for p in PEOPLE}


@dataclass
class Planted:
    store: Store
    ids: dict[str, int]  # person key -> contact id
    keys: dict[int, str]

    def truth(self, ids: np.ndarray) -> list[int]:
        return [GROUP[self.keys[int(i)]] for i in ids]

    def brute_force(self, rule: str, population: set[str]) -> set[int]:
        """The population's contacts `rule` matches, by the Python evaluator."""
        tree, issues = self.store.rules.check_rule(parse(rule))
        assert not issues
        return {self.ids[p.key] for p in PEOPLE
                if p.key in population and holds(tree, p, DEMO_TODAY, {})}


def _load(store: Store) -> Planted:
    with store.orm_session() as session:
        firms: dict[Firm, Company] = {}
        tags: dict[str, Tag] = {}
        contacts = {}
        for p in PEOPLE:
            firm = p.firm
            assert firm is not None
            company = firms.setdefault(firm, Company(name=firm.name, size=firm.size,
                                                     industry=firm.industry))
            contacts[p.key] = Contact(name=p.name, email=None, company=company,
                                      lead_status=p.status, quality_score=p.score,
                                      created_at=p.created,
                                      tags=[tags.setdefault(t, Tag(name=t)) for t in p.tags])
            session.add(contacts[p.key])
        session.flush()
        for p in PEOPLE:
            session.add_all(EngagementEvent(contact_id=contacts[p.key].id, type=e.type,
                                            occurred_at=e.at, revenue_cents=e.revenue_cents)
                            for e in p.events)
        ids = {key: int(c.id) for key, c in contacts.items()}
    store.users.current_user("Dana Admin")  # the first user: a CRM Administrator
    return Planted(store, ids, {i: k for k, i in ids.items()})


@pytest.fixture(scope="module", params=ENGINES)
def planted(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[Planted]:
    """The planted contacts on each engine, built once per module (keeping adds segments
    only; each test names its own)."""
    if request.param == "sqlite":
        store = Store.open(sqlite_url(tmp_path_factory.mktemp("discover") / "d.db"))
        yield _load(store)
        store.close()
        return
    admin = request.getfixturevalue("pg_admin")
    url = _pg_database(admin)
    store = Store.open(url)
    yield _load(store)
    store.close()
    _drop_pg_database(admin, url)


def _members(store: Store, segment_id: int) -> set[int]:
    with store.reading() as conn:
        return set(conn.execute(select(Membership.contact_id).where(
            Membership.segment_id == segment_id, current_membership())).scalars())


def _segment(store: Store, name: str, members: list[int]) -> int:
    with store.orm_session() as session:
        segment = Segment(name=name, status=SegmentStatus.ACTIVE, created_at=NOW,
                          updated_at=NOW)
        session.add(segment)
        session.flush()
        session.add_all(Membership(segment_id=segment.id, contact_id=c, added_at=NOW,
                                   source=MembershipSource.MANUAL) for c in members)
        return int(segment.id)


@pytest.mark.parametrize("k", [3, None])
def test_planted_clusters_are_found_again(planted: Planted, k: int | None) -> None:
    """C22.1.3, C22.1.4: three groups apart on size, industry, spend and engagement come
    back as three clusters (adjusted Rand index >= 0.9), k given or chosen by silhouette."""
    found = planted.store.discover.run(DiscoverRequest(DIMS, k=k))
    assert found.population == len(PEOPLE)
    assert found.k == 3
    labels = found.assignment.labels
    assert adjusted_rand_score(planted.truth(found.assignment.contact_ids), labels) >= 0.9
    if k is None:
        assert [s.k for s in found.k_scores] == list(range(2, 9))
        assert max(found.k_scores, key=lambda s: s.silhouette).k == 3
    assert sum(c.size for c in found.clusters) == len(PEOPLE)
    assert [c.size for c in found.clusters] == sorted((c.size for c in found.clusters),
                                                      reverse=True)


def test_the_same_seed_gives_the_same_clusters(planted: Planted) -> None:
    """C22.1.6: two runs with one seed: the same labels, profiles, names and rules."""
    request = DiscoverRequest(DIMS, k=4, seed=7)
    first, second = (planted.store.discover.run(request) for _ in range(2))
    assert np.array_equal(first.assignment.labels, second.assignment.labels)
    assert first.clusters == second.clusters and first.k_scores == second.k_scores


def test_profiles_read_as_the_planted_groups(planted: Planted) -> None:
    """C22.2.2, C22.2.5: the big spenders' cluster says so in words, with its figures."""
    found = planted.store.discover.run(DiscoverRequest(DIMS, k=3))
    big = next(c for c in found.clusters
               if any(t.text == "100% Enterprise (33% overall)" for t in c.traits))
    texts = [t.text for t in big.traits]
    spent = next(t for t in texts if "spent" in t)
    assert spent == "median spent $5,974 vs $20 overall"
    assert "opened, responded or met in the last 30 days: 100% (33% overall)" in texts
    assert big.size == PER_GROUP and big.share == pytest.approx(1 / 3)
    assert big.engagement_rate == 1.0 and big.conversion_rate == 1.0
    assert big.retention_rate is None  # nobody engaged in the 30 days before
    assert big.revenue_per_member_cents > 580_000
    assert len({c.name for c in found.clusters}) == 3


def _expected_fit(planted: Planted, found: Discovery, index: int, rule: str
                  ) -> tuple[int, int, float, float]:
    population = {planted.keys[int(i)] for i in found.assignment.contact_ids}
    matched = planted.brute_force(rule, population)
    cluster = {int(i) for i in found.assignment.members(index)}
    inside = len(matched & cluster)
    return (len(matched), inside, inside / len(matched) if matched else 0.0,
            inside / len(cluster))


@pytest.mark.parametrize("segment", [False, True])
def test_precision_and_recall_equal_a_brute_force_count(planted: Planted,
                                                        segment: bool) -> None:
    """C22.3.3: every suggested rule's and a few hand-written rules' counts, against the
    Python evaluator's, over everyone and within a starting segment."""
    segment_id = None
    if segment:
        half = [planted.ids[p.key] for p in PEOPLE if int(p.key.split("-")[1]) % 2 == 0]
        segment_id = _segment(planted.store, f"Even people {random.random()}", half)
    found = planted.store.discover.run(DiscoverRequest(DIMS, k=3, segment_id=segment_id))
    assert all(c.suggested is not None for c in found.clusters)
    for cluster in found.clusters:
        assert cluster.suggested is not None
        s = cluster.suggested
        assert (s.matches, s.in_cluster, s.precision, s.recall) == pytest.approx(
            _expected_fit(planted, found, cluster.index, s.rule))
        for rule in ("size = Enterprise or spent > 15", "industry != Retail",
                     "opened within 10d >= 1 and spent between 10 and 30",
                     'tag = "[bold]VIP[/]" or status = Cold'):
            fit = planted.store.discover.rule_fit(found, cluster.index, rule)
            assert (fit.matches, fit.in_cluster, fit.precision, fit.recall) == \
                pytest.approx(_expected_fit(planted, found, cluster.index, rule))


def test_a_bad_rule_is_refused_with_its_column(planted: Planted) -> None:
    found = planted.store.discover.run(DiscoverRequest(DIMS, k=3))
    with pytest.raises(RuleError) as syntax:
        planted.store.discover.rule_fit(found, 0, "spent >")
    assert syntax.value.column is not None
    with pytest.raises(RuleError, match="control characters"):
        planted.store.discover.rule_fit(found, 0, 'tag = "' + HOSTILE_TAG + '"')
    with pytest.raises(RuleError, match="unknown field"):
        planted.store.discover.rule_fit(found, 0, "shoe_size = 9")
    with pytest.raises(DiscoverError, match="no cluster 9"):
        planted.store.discover.rule_fit(found, 9, "spent > 1")


def test_keeping_a_static_cluster_makes_exactly_its_members(planted: Planted) -> None:
    """C22.3.1: the new static segment holds the cluster's contacts, nobody else."""
    found = planted.store.discover.run(DiscoverRequest(DIMS, k=3))
    cluster = found.clusters[1]
    segment_id = planted.store.discover.keep_static(found, cluster.index, "Kept static",
                                                    description="from Discover")
    assert _members(planted.store, segment_id) == set(
        found.assignment.members(cluster.index).tolist())
    details = planted.store.segments.segment_details(segment_id)
    assert details is not None and details.name == "Kept static" and details.rule is None
    with pytest.raises(DuplicateSegmentName):  # as the app refuses a taken name
        planted.store.discover.keep_static(found, cluster.index, "kept STATIC")


def test_keeping_a_dynamic_cluster_makes_exactly_the_rules_members(planted: Planted) -> None:
    """C22.3.4: a dynamic segment with the suggested rule holds exactly the contacts the
    rule matches (the brute-force count); an edited rule too."""
    found = planted.store.discover.run(DiscoverRequest(DIMS, k=3))
    everyone = set(GROUP)
    for n, cluster in enumerate(found.clusters):
        assert cluster.suggested is not None
        for m, rule in enumerate((cluster.suggested.rule, "size = SMB or spent > 100")):
            segment_id = planted.store.discover.keep_dynamic(found, cluster.index,
                                                             f"Kept rule {n} {m}", rule)
            assert _members(planted.store, segment_id) == planted.brute_force(rule, everyone)


def test_a_dynamic_cluster_within_a_segment_is_scoped_to_it(planted: Planted) -> None:
    """C22.3.4: within a starting segment, the kept rule is `in segment "X" and (...)`."""
    group_a = [planted.ids[p.key] for p in PEOPLE if GROUP[p.key] == 0][:10]
    segment_id = _segment(planted.store, "Ten big spenders", group_a)
    found = planted.store.discover.run(DiscoverRequest((Dimension.ENGAGED,), k=2,
                                                       segment_id=segment_id))
    assert found.population == 10
    kept = planted.store.discover.keep_dynamic(found, found.clusters[0].index, "Scoped",
                                               "size = Enterprise")
    assert _members(planted.store, kept) == set(group_a)
    details = planted.store.segments.segment_details(kept)
    assert details is not None and details.rule is not None
    from segtui.core.rules.language import format_rule
    assert format_rule(details.rule).startswith('in segment "Ten big spenders" and ')


def test_a_cancelled_run_leaves_nothing_behind(planted: Planted) -> None:
    """C22.1.8: cancelled between stages, the run raises Cancelled and no segment was
    made (a run writes nothing)."""
    with planted.store.reading() as conn:
        before = conn.execute(select(func.count()).select_from(Segment)).scalar_one()
    scope = Scope("discover")
    seen: list[str] = []

    def progress(fraction: float, what: str) -> None:
        seen.append(what)
        if what == "Clustering":
            planted.store.cancel(scope)

    with acting_for(scope), pytest.raises(Cancelled):
        planted.store.discover.run(DiscoverRequest(DIMS), progress=progress)
    assert seen[0].startswith("Reading contacts 0 of 120") and seen[-1] == "Clustering"
    with planted.store.reading() as conn:
        assert conn.execute(select(func.count()).select_from(Segment)).scalar_one() == before


def test_populations_that_cannot_be_clustered_get_a_clear_message(planted: Planted) -> None:
    """C22.1.7: an empty segment, fewer contacts than k, a segment that is gone."""
    discover = planted.store.discover
    empty = _segment(planted.store, "Nobody", [])
    with pytest.raises(DiscoverError, match="There are no contacts to group here"):
        discover.run(DiscoverRequest(DIMS, segment_id=empty))
    two = _segment(planted.store, "Two", [planted.ids["g0-0"], planted.ids["g1-0"]])
    with pytest.raises(DiscoverError, match=r"Only 2 contacts to group: k = 3 needs at least 3"):
        discover.run(DiscoverRequest(DIMS, k=3, segment_id=two))
    with pytest.raises(DiscoverError, match="choosing k needs at least 3"):
        discover.run(DiscoverRequest(DIMS, segment_id=two))
    with pytest.raises(DiscoverError, match="no longer there"):
        discover.run(DiscoverRequest(DIMS, segment_id=999_999))
    alike = _segment(planted.store, "Alike", [planted.ids[f"g1-{n}"] for n in range(5)])
    with pytest.raises(DiscoverError, match="all alike"):
        discover.run(DiscoverRequest((Dimension.SIZE,), segment_id=alike))
    with pytest.raises(DiscoverError, match="differ in only 1 ways"):
        discover.run(DiscoverRequest((Dimension.SIZE,), k=2, segment_id=alike))
    with pytest.raises(DiscoverError, match="No contact here has a tag"):
        discover.run(DiscoverRequest((Dimension.TAGS,), segment_id=alike))


def test_a_hidden_segment_is_not_discovered_in(planted: Planted) -> None:
    """C19.3.2: a Viewer from whom a segment is hidden can't discover in it."""
    from segtui.core.enums import Visibility

    owner = planted.store.users.current_user("Dana Admin")
    segment_id = _segment(planted.store, "Private few",
                          [planted.ids[f"g0-{n}"] for n in range(5)])
    planted.store.segments.share(segment_id, owner, visibility=Visibility.PRIVATE)
    viewer = planted.store.users.current_user("Vic Viewer")
    try:
        with pytest.raises(DiscoverError, match="no longer there"):
            planted.store.discover.run(DiscoverRequest(DIMS, k=2, segment_id=segment_id),
                                       viewer)
    finally:
        planted.store.users.current_user("Dana Admin")
