"""`store.discover`: contacts grouped into clusters a marketer reads and keeps (C22).

numpy and scikit-learn load only when a discovery runs (inside the methods): the Store is
opened by every command and by the app's start, which must not pay for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from segtui.data.store.database import Database

if TYPE_CHECKING:
    from segtui.core.discover.model import (
        DiscoverRequest,
        Discovery,
        Progress,
        SuggestedRule,
    )
    from segtui.core.permissions import CurrentUser


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
        raise NotImplementedError

    def keep_static(self, discovery: Discovery, index: int, name: str,
                    user: CurrentUser | None = None, description: str = "") -> int:
        """C22.3.1: a new static segment of cluster `index`'s members that still exist,
        created as the app creates one (`user`'s permissions, segment limit, name rules,
        audit); its id. SegmentError/PermissionDenied as creating a segment."""
        raise NotImplementedError

    def keep_dynamic(self, discovery: Discovery, index: int, name: str, rule: str,
                     user: CurrentUser | None = None, description: str = "") -> int:
        """C22.3.4: a new dynamic segment kept to `rule` (the suggested one or an edited
        one, query-language text); within a starting segment the rule is scoped to it
        (`in segment "X" and (...)`). Its id. RuleError (core.discover.model, a
        DiscoverError) for a bad rule; the rest as creating a segment."""
        raise NotImplementedError

    def rule_fit(self, discovery: Discovery, index: int, rule: str) -> SuggestedRule:
        """C22.3.3: how well `rule` (query-language text) matches cluster `index`: the
        population contacts it matches, how many of them are in the cluster, precision
        and recall, counted exactly over the database. RuleError for a bad rule,
        DiscoverError for a cluster that is not there."""
        raise NotImplementedError
