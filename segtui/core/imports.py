"""What an import is asked to do with a duplicate (OnDuplicate) and what it did (ImportReport):
the records the import dialog, the command line and the Store hand each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from segtui.core.formats.contacts_csv import RowProblem
from segtui.core.rules.refresh import Owed, RefreshResult

KEEP_PROBLEMS = 1_000  # rejected rows kept for the summary (all go to the rejects file)


class OnDuplicate(StrEnum):
    """What a row whose email a contact already has does (`--on-duplicate`)."""

    UPDATE = "update"  # fill in the row's non-empty cells; tags are added
    SKIP = "skip"
    ERROR = "error"  # the row is rejected


@dataclass
class ImportReport:
    rows: int = 0  # records read, header excluded, blank lines excluded
    added: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0
    problems: list[RowProblem] = field(default_factory=list)  # the first KEEP_PROBLEMS
    changed_ids: list[int] | None = field(default_factory=list)  # None: too many to list
    refreshed: list[RefreshResult] = field(default_factory=list)  # dynamic segments after
    # What the dynamic segments were left owed when they couldn't be re-evaluated after the
    # commit (SQLite: another process writing); None when they were (I16.4).
    left_owed: Owed | None = None
    created: list[str] = field(default_factory=list)  # e.g. campaigns an events file named
    # Rows written into each table (contacts, companies, events), for the planner's
    # statistics after the commit (PostgreSQL: bulk.refresh_stale_statistics).
    written: dict[str, int] = field(default_factory=dict)

    def wrote(self, table: str, rows: int) -> None:
        self.written[table] = self.written.get(table, 0) + rows

    def reject(self, problems: list[RowProblem]) -> None:
        self.rejected += 1
        room = KEEP_PROBLEMS - len(self.problems)
        if room > 0:
            self.problems.extend(problems[:room])

    def changed(self, ids: Iterable[int], limit: int) -> None:
        if self.changed_ids is not None:
            self.changed_ids.extend(ids)
            if len(self.changed_ids) > limit:
                self.changed_ids = None  # the caller re-evaluates every rule instead
