"""`store.quality`: the data quality report and merging duplicates.

Definitions in core/quality.py and docs/quality.md (Q6.4).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from segtui.core import clock
from segtui.data.rules import pending
from segtui.data.store.database import Database
from segtui.data.store.rules import Rules

if TYPE_CHECKING:
    from segtui.core.permissions import CurrentUser
    from segtui.core.quality import MergeResult, QualityReport


class Quality:
    """The data quality report and merging duplicates."""

    def __init__(self, db: Database, rules: Rules) -> None:
        self._db = db
        self._rules = rules

    def quality_report(self) -> QualityReport:
        """The data quality report (Q6.4; definitions in segtui/core/quality.py)."""
        from segtui.data.queries import quality

        with self._db.reading() as conn:
            return quality.quality_report(conn, clock.today(), self._db.viewer)

    def merge_contacts(self, keep: int, others: Sequence[int], user: CurrentUser
                       ) -> MergeResult:
        """Merge duplicate contacts into `keep` in one transaction, then bring the dynamic
        segments up to date for it."""
        from segtui.data.writes import merge

        with self._db.writing() as conn:
            result = merge.merge_contacts(conn, keep, others, user, clock.now())
            pending.owe_contacts(conn, [keep], clock.now())
        self._rules.bring_up_to_date()  # or, another process writing, the next reader will
        return result
