"""`store.rules`: dynamic segments.

Checking and counting a rule, refreshing segments (each after the segments its rule
uses, in batches of one transaction each), and doing what a change still owes them
(data/rules/pending.py; D1.5, I16.4).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from segtui.core import clock
from segtui.core.busy import DatabaseBusy
from segtui.core.rules.refresh import Owed
from segtui.data.rules import pending
from segtui.data.store import database
from segtui.data.store.database import Database

if TYPE_CHECKING:
    from segtui.core.permissions import CurrentUser
    from segtui.core.rules.diff import RuleDiff
    from segtui.core.rules.refresh import RefreshResult
    from segtui.core.rules.tree import Node, RuleIssue


class Rules:
    """Dynamic segments."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def check_rule(self, rule: Node, segment_id: int | None = None
                   ) -> tuple[Node, list[RuleIssue]]:
        """The rule in canonical form (segment names resolved) and its problems; a rule for
        `segment_id` may not depend on that segment."""
        from segtui.core.rules.check import check
        from segtui.data.queries.visibility import seen_lookup
        from segtui.data.rules import refresh

        with self._db.reading() as conn:  # names only the segments its user sees (C19.3.2)
            return check(rule, seen_lookup(conn, refresh.segment_lookup(conn), self._db.viewer),
                         segment_id)

    def rule_count(self, rule: Node) -> int:
        """How many contacts a (checked) rule matches today: the builder's live count."""
        from segtui.data.rules import refresh

        with self._db.reading() as conn:
            return refresh.count_matching(conn, rule, clock.today())

    def rule_sample(self, rule: Node, limit: int = 5) -> list[tuple[int, str]]:
        from segtui.data.rules import refresh

        with self._db.reading() as conn:
            return refresh.sample_matching(conn, rule, clock.today(), limit)

    def rule_diff(self, segment_id: int, rule: Node) -> RuleDiff:
        """Who would enter and who would leave the segment were its rule the (checked)
        `rule`: the rule builder's diff while an existing dynamic segment's rule is edited
        (C20.6.1). SegmentNotFound when the segment is gone or its user does not see it
        (C20.6.4, C19.3.2)."""
        from segtui.data.queries.rule_diff import rule_diff
        from segtui.data.queries.visibility import require_visible

        with self._db.reading() as conn:
            require_visible(conn, segment_id, self._db.viewer)
            return rule_diff(conn, segment_id, rule, clock.today())

    def refresh_segments(self, segment_ids: Sequence[int] | None = None,
                         user: CurrentUser | None = None) -> list[RefreshResult]:
        """Re-evaluate these dynamic segments (all of them when None) and the segments whose
        rules use them, each after the segments its rule uses. With `user` (someone asked
        for it: `r` in the app, `segtui segments refresh`), each segment whose members
        changed logs "Members Refreshed" by that user, in the same transaction.

        Each segment is its own short write transaction: refreshing a thousand segments
        takes minutes, and SQLite has one writer at a time, so one long transaction would
        make every other save wait (and time out). Each segment is always consistent, and
        its transaction clears what it was owed (data/rules/pending.py). Contacts owed a
        re-evaluation are done first (all segments: already covered by a whole one)."""
        from segtui.core.rules import order
        from segtui.data.rules import refresh

        with self._db.reading() as conn:
            owed = pending.owed(conn)
            done_up_to = pending.last_id(conn)
            lookup = refresh.segment_lookup(conn)
            every = refresh.dynamic_ids(conn)
        if segment_ids is None:
            ids = every
        else:
            if owed.contacts:
                self._finish_contacts()
            ids = [*segment_ids,
                   *(d for s in segment_ids for d in order.dependents(lookup, every, s))]
        results = self._refresh_in_order(ids, user)
        if segment_ids is None and owed.contacts:
            with self._db.writing() as conn:  # every segment was evaluated whole since
                pending.drop_contacts_up_to(conn, done_up_to)
        return results

    def _refresh_in_order(self, ids: Sequence[int], user: CurrentUser | None = None
                          ) -> list[RefreshResult]:
        """Refresh these segments whole, each after the segments its rule uses, in the
        batches of data/rules/whole_refresh.py: one transaction each, all or nothing
        (data/store/refresh_run.py)."""
        from segtui.data.db import bulk
        from segtui.data.rules import refresh
        from segtui.data.store import refresh_run

        today = clock.today()  # the run's: every batch is evaluated on the same day
        with self._db.reading() as conn:
            batches = refresh.whole_batches(conn, ids, today)
            owed = frozenset(pending.owed(conn).segments)
        results = refresh_run.run(self._db, batches, owed, today, user)
        # The next run plans its counts of each segment's stays from these; the
        # dashboard's cards their seeks of each contact's count (data/derived/stays.py).
        moved = sum(r.entered + r.left for r in results)
        bulk.refresh_stale_statistics(self._db.engine, dict.fromkeys(
            ("memberships", "contact_stays", "segment_sizes"), moved))
        return results

    def contacts_changed(self, contact_ids: Sequence[int]) -> list[RefreshResult]:
        """After these contacts or their events changed: re-evaluate every dynamic segment
        for them only (incremental), in one transaction. Returns the segments that changed."""
        from segtui.data.rules import refresh
        from segtui.data.writes import changes

        with self._db.writing() as conn:
            pending.serialise_refreshes(conn)
            results = refresh.refresh_contacts(conn, contact_ids, now=clock.now(),
                                               today=clock.today())
            changes.record_refreshed(conn, results)
            return results

    def owed(self) -> Owed:
        """What the dynamic segments are still owed (data/rules/pending.py): nothing, unless a
        change's process ended before re-evaluating them, or one is doing it now."""
        with self._db.reading() as conn:
            return pending.owed(conn)

    def finish_pending(self, segment_ids: Sequence[int] | None = None
                       ) -> list[RefreshResult]:
        """Do what the dynamic segments are owed (I16.4): every contact changed since
        its re-evaluation (one incremental pass), then the segments owed a whole one: all
        of them, or, given `segment_ids`, those of them these segments' rules depend on
        (and these). Costs one read when nothing is owed. Returns the segments re-evaluated.
        DatabaseBusy when another process holds SQLite for writing: the caller says the
        segments may be out of date."""
        from segtui.core.rules import order
        from segtui.data.rules import refresh

        if not self._db.may_maintain():  # a Viewer's login on PostgreSQL (C19.2.6)
            return []
        with self._db.reading() as conn:
            owed = pending.owed(conn)
            lookup = refresh.segment_lookup(conn) if owed.segments else None
        if not owed:
            return []
        results = self._finish_contacts() if owed.contacts else []
        wanted = list(self.owed().segments)
        if segment_ids is not None and lookup is not None:
            needed = order.used_by_closure(lookup, segment_ids)
            wanted = [s for s in wanted if s in needed]
        if wanted:
            results += self.refresh_segments(wanted)
        return results

    def bring_up_to_date(self, segment_ids: Sequence[int] | None = None) -> Owed:
        """finish_pending for a reader about to show members: what is still owed afterwards
        (nothing, unless another process held SQLite for writing meanwhile: then the
        reader says the members may be out of date, Owed.out_of_date)."""
        if not self._db.may_maintain():  # left for those who may (C19.2.6)
            return replace(self.owed(), not_mine=True)
        try:
            self.finish_pending(segment_ids)
        except DatabaseBusy:
            return self.owed()
        return Owed(0, ())

    def _finish_contacts(self) -> list[RefreshResult]:
        """Claim the owed contacts and re-evaluate every dynamic segment for them, in one
        transaction; beyond INCREMENTAL_LIMIT of them, owe every segment a whole one."""
        from segtui.data.rules import refresh
        from segtui.data.writes import changes

        with self._db.writing() as conn:
            pending.serialise_refreshes(conn)
            ids = pending.claim_contacts(conn)
            if len(ids) > database.INCREMENTAL_LIMIT:
                pending.owe_segments(conn, refresh.dynamic_ids(conn), clock.now())
                return []
            results = refresh.refresh_contacts(conn, ids, now=clock.now(), today=clock.today())
            changes.record_refreshed(conn, results)
            return results

    def refresh_stale(self) -> list[RefreshResult]:
        """What the dynamic segments are owed (finish_pending), then the ones not evaluated
        yet today (the app does this when it starts, so rules with time windows follow the
        calendar)."""
        from segtui.data.rules import refresh

        if not self._db.may_maintain():  # a Viewer's login on PostgreSQL (C19.2.6)
            return []
        results = self.finish_pending()
        with self._db.reading() as conn:
            stale = refresh.stale_ids(conn, clock.today())
        return results + (self.refresh_segments(stale) if stale else [])

    def failures(self, segment_ids: Sequence[int] | None = None
                 ) -> list[tuple[int, str, str]]:
        """(id, name, error) of these segments (or all) whose last evaluation failed and
        no success has cleared since (C20.7.2), in name order."""
        from segtui.data.rules import evaluation

        with self._db.reading() as conn:
            return evaluation.failures(conn, segment_ids)

    def segments_using(self, segment_id: int) -> list[str]:
        """Names of the dynamic segments whose rules use this segment."""
        from segtui.data.rules import refresh

        with self._db.reading() as conn:
            return refresh.uses_of(conn, segment_id)
