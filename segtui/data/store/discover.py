"""`store.discover`: contacts grouped into clusters a marketer reads and keeps (C22).

numpy and scikit-learn load only when a discovery runs (inside the methods): the Store is
opened by every command and by the app's start, which must not pay for them.

A run reads the population's facts in one read transaction (one snapshot: the
population counted is the one read), then clusters in Python with no connection held,
then counts each suggested rule's matches in a second read. It writes nothing: a cancelled
run leaves nothing behind (C22.1.8).
"""

from __future__ import annotations

import functools
import time
from typing import TYPE_CHECKING

from segtui.core import clock
from segtui.data.store.database import Database

if TYPE_CHECKING:

    import numpy as np
    import numpy.typing as npt
    from sqlalchemy import Connection

    from segtui.core.discover.engine import Clustered, Report
    from segtui.core.discover.model import (
        Assignment,
        ClusterProfile,
        DiscoverRequest,
        Discovery,
        Progress,
        SuggestedRule,
    )
    from segtui.core.permissions import CurrentUser
    from segtui.core.rules.tree import Node


# Suggested rules counted at once, one a core: more only wait for each other (and, on
# SQLite, each maps the database file again: docs/benchmarks.md, "Memory").
RULES_AT_ONCE = 2


class Discover:
    """Discoveries, and keeping their clusters as segments.

    `user` (every method): the CurrentUser the app or command resolved
    (`store.users.current_user`); None is the user the Store acts for (Database.viewer).
    It decides which starting segment may be read (C19.3.2) and who creates a kept
    segment (permissions, limit, audit).
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def run(self, request: DiscoverRequest, user: CurrentUser | None = None, *,
            progress: Progress | None = None) -> Discovery:
        """Cluster the contacts (or the members of `request.segment_id`, as `user` sees
        them) on the chosen dimensions (C22.1), describe each cluster (C22.2) and suggest a
        rule for it (C22.3.2). `progress(fraction, what)` is called between batches and
        stages, from this thread.

        Cancel: run it inside `acting_for(scope)` (segtui/core/cancel.py); between batches
        and stages the scope's `cancelled` is checked and Cancelled raised, and a running
        statement is cancelled by the Store. A run writes nothing, so a cancelled one
        leaves nothing behind.

        DiscoverError (the message for the user): no dimensions, k out of range, the
        segment gone or hidden from `user`, an empty population, fewer contacts than k.
        """

        from segtui.core.cancel import Cancelled, current_scope
        from segtui.core.discover import engine
        from segtui.core.discover.model import Assignment, Discovery
        from segtui.core.formatting import whole
        from segtui.data.db.engine import without_memory_map
        from segtui.data.queries import discover_features as q

        started = time.perf_counter()
        request = engine.checked(request)
        engine.import_ahead()
        viewer = user if user is not None else self._db.viewer

        def report(fraction: float, what: str) -> None:
            scope = current_scope()
            if scope is not None and scope.cancelled:
                raise Cancelled
            if progress is not None:
                progress(fraction, what)

        def step(done: int, of: int) -> None:
            report(engine.READ * done / of, f"Reading contacts {whole(done)} of {whole(of)}")

        today = clock.today()
        with self._db.reading() as conn:
            without_memory_map(conn)
            if request.segment_id is not None:
                self._require_segment(conn, request.segment_id, viewer)
            population = q.population_size(conn, request.segment_id)
            engine.check_population(population, request.k)
            report(0.0, f"Reading contacts 0 of {whole(population)}")
            features = q.read_features(conn, request.dimensions, request.segment_id, today,
                                       request.window_days, population, step)
        engine.check_population(len(features), request.k)
        clustered = engine.run(features, request, report)
        assignment = Assignment(features.contact_ids, clustered.labels)
        del features  # the columns are no longer needed: only ids and labels are kept
        clusters = self._with_rules(clustered, assignment, report)
        return Discovery(request=request, population=len(assignment), k=clustered.k,
                         k_scores=clustered.k_scores, clusters=tuple(clusters),
                         seconds=round(time.perf_counter() - started, 3),
                         assignment=assignment)

    def _with_rules(self, clustered: Clustered, assignment: Assignment, report: Report
                    ) -> list[ClusterProfile]:
        """The clusters with their suggested rules counted (C22.3.3): each rule's
        matches read on a connection of its own, RULES_AT_ONCE at a time
        (Database.aside: the clustering is done, both cores are free)."""
        from dataclasses import replace

        from segtui.core.discover import engine
        from segtui.core.rules.check import check
        from segtui.core.rules.language import format_rule
        from segtui.data.db.sql import here
        from segtui.data.queries.discover_features import matching_ids

        today = clock.today()
        rules: dict[int, Node] = {}
        for cluster in clustered.clusters:
            node = clustered.rules.get(cluster.index)
            if node is not None:
                rule, issues = check(node)
                if not issues:  # a generated rule always checks
                    rules[cluster.index] = rule
        matched: dict[int, npt.NDArray[np.int64]] = {}
        with self._db.reading() as conn:
            start = self._db.aside() or here(conn)
            order = list(rules)
            for at in range(0, len(order), RULES_AT_ONCE):
                waiting = [(i, start(functools.partial(matching_ids, rule=rules[i],
                                                       today=today)))
                           for i in order[at:at + RULES_AT_ONCE]]
                for i, result in waiting:
                    matched[i] = _within(result(), assignment)
                report(engine.DESCRIBE + (1 - engine.DESCRIBE) * (
                    0.5 + 0.5 * min(at + RULES_AT_ONCE, len(order)) / len(order)),
                    "Fitting rules")
        clusters = []
        for cluster in clustered.clusters:
            suggested = None
            if cluster.index in matched:
                suggested = _fit(format_rule(rules[cluster.index]), matched[cluster.index],
                                 assignment.members(cluster.index))
            clusters.append(replace(cluster, suggested=suggested))
        return clusters

    def _require_segment(self, conn: Connection, segment_id: int,
                         viewer: CurrentUser | None) -> str:
        """The starting segment's name; DiscoverError when it is gone or hidden."""
        from sqlalchemy import select

        from segtui.core.discover.model import DiscoverError
        from segtui.data.db.tables import Segment
        from segtui.data.queries.visibility import visible_to

        name = conn.execute(select(Segment.name).where(Segment.id == segment_id,
                                                       visible_to(viewer))).scalar()
        if name is None:
            raise DiscoverError("The segment to discover in is no longer there: deleted, "
                                "or hidden from you.")
        return str(name)

    def keep_static(self, discovery: Discovery, index: int, name: str,
                    user: CurrentUser | None = None, description: str = "") -> int:
        """C22.3.1: a new static segment of cluster `index`'s members that still exist,
        created as the app creates one (`user`'s permissions, segment limit, name rules,
        audit); its id. SegmentError/PermissionDenied as creating a segment."""
        from segtui.data.writes import discover_keep

        cluster = discovery.cluster(index)
        members = discovery.assignment.members(index).tolist()
        with self._db.writing() as conn:
            return discover_keep.keep_static(conn, name, description, members, cluster.name,
                                             self._user(user))

    def keep_dynamic(self, discovery: Discovery, index: int, name: str, rule: str,
                     user: CurrentUser | None = None, description: str = "") -> int:
        """C22.3.4: a new dynamic segment kept to `rule` (the suggested one or an edited
        one, query-language text); within a starting segment the rule is scoped to it
        (`in segment "X" and (...)`). Its id. RuleError (core.discover.model, a
        DiscoverError) for a bad rule; the rest as creating a segment (InvalidSegment for
        a rule that does not check, under the field 'rule')."""
        from segtui.core.rules.tree import Condition, Group, Joiner, Op, SegmentRef
        from segtui.data.writes import discover_keep

        discovery.cluster(index)
        who = self._user(user)
        node: Node = _parsed(rule)
        with self._db.writing() as conn:
            segment_id = discovery.request.segment_id
            if segment_id is not None:
                within = self._require_segment(conn, segment_id, who)
                node = Group(Joiner.AND, (Condition("segment", Op.IN_SEGMENT,
                                                    SegmentRef(within, segment_id)), node))
            return discover_keep.keep_dynamic(conn, name, description, node, who)

    def rule_fit(self, discovery: Discovery, index: int, rule: str) -> SuggestedRule:
        """C22.3.3: how well `rule` (query-language text) matches cluster `index`: the
        population contacts it matches, how many of them are in the cluster, precision
        and recall, counted exactly over the database. RuleError for a bad rule,
        DiscoverError for a cluster that is not there."""

        from segtui.core.discover.model import RuleError
        from segtui.core.rules.check import check
        from segtui.core.rules.language import format_rule
        from segtui.data.queries.discover_features import matching_ids
        from segtui.data.queries.visibility import seen_lookup
        from segtui.data.rules.refresh import segment_lookup

        discovery.cluster(index)
        node = _parsed(rule)
        with self._db.reading() as conn:
            checked, issues = check(node, seen_lookup(conn, segment_lookup(conn),
                                                      self._db.viewer))
            if issues:
                raise RuleError("; ".join(issue.message for issue in issues))
            matched = matching_ids(conn, checked, clock.today())
        return _fit(format_rule(checked), _within(matched, discovery.assignment),
                    discovery.assignment.members(index))

    def _user(self, user: CurrentUser | None) -> CurrentUser:
        from segtui.core.discover.model import DiscoverError

        who = user if user is not None else self._db.viewer
        if who is None:
            raise DiscoverError("Keeping a cluster needs a user: who is creating the "
                                "segment?")
        return who


def _parsed(rule: str) -> Node:
    from segtui.core.discover.model import RuleError
    from segtui.core.rules.language import RuleSyntaxError, parse

    try:
        return parse(rule)
    except RuleSyntaxError as exc:
        raise RuleError(f"The rule: {exc}", exc.column) from None


def _within(matched: npt.NDArray[np.int64], assignment: Assignment
            ) -> npt.NDArray[np.int64]:
    """Those of `matched` in the discovery's population."""
    import numpy as np

    inside: npt.NDArray[np.int64] = matched[np.isin(matched, assignment.contact_ids,
                                                    assume_unique=True)]
    return inside


def _fit(rule: str, matched: npt.NDArray[np.int64], cluster: npt.NDArray[np.int64]
         ) -> SuggestedRule:
    """Precision and recall of `matched` (population contacts, ascending) against the
    cluster's contacts (ascending)."""
    import numpy as np

    from segtui.core.discover.model import SuggestedRule

    in_cluster = int(np.isin(matched, cluster, assume_unique=True).sum())
    return SuggestedRule(rule=rule, precision=in_cluster / len(matched) if len(matched) else 0.0,
                         recall=in_cluster / len(cluster) if len(cluster) else 0.0,
                         matches=len(matched), in_cluster=in_cluster)
