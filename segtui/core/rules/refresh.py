"""What the live refresh engine reports (data/rules/refresh.py): a segment's re-evaluation, and
why a contact is in a segment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from segtui.core.formatting import plural, time_ago


@dataclass(frozen=True)
class RefreshResult:
    """One evaluation of a dynamic segment's rule against the contacts."""

    segment_id: int
    name: str
    entered: int  # contacts who became members
    left: int  # members who no longer match
    members: int  # members afterwards
    elapsed_ms: int
    evaluated_at: datetime

    @property
    def changed(self) -> bool:
        return bool(self.entered or self.left)

    def summary(self) -> str:
        return (f"{self.name}: {plural(self.members, 'member')} (+{self.entered:,} entered, "
                f"−{self.left:,} left) in {self.elapsed_ms:,} ms")


@dataclass(frozen=True)
class Owed:
    """What the dynamic segments are still owed (data/rules/pending.py, I16.4): nothing,
    unless a change's process ended before re-evaluating them, or one is doing it now."""

    contacts: int  # contacts changed since they were last re-evaluated
    segments: tuple[int, ...]  # segments owed a whole re-evaluation
    # Left for others: this login may not do the work (a Viewer's, on PostgreSQL: C19.2.6).
    not_mine: bool = False

    def __bool__(self) -> bool:
        return bool(self.contacts or self.segments)

    def _to_do(self) -> str:
        parts = []
        if self.contacts:
            parts.append(plural(self.contacts, "changed contact"))
        if self.segments:
            parts.append(plural(len(self.segments), "whole segment"))
        return " and ".join(parts)

    def out_of_date(self) -> str:
        """Said when a reader could not finish the work (another process is writing, or
        the login may not)."""
        if self.not_mine:
            return (f"dynamic segments may be out of date ({self._to_do()} to "
                    "re-evaluate): your login may not change segments; `segtui worker`, "
                    "or anyone who may, brings them up to date")
        return ("dynamic segments may be out of date: an import or merge ended before "
                f"re-evaluating them ({self._to_do()} to do), and another process is "
                "writing to the database now; segtui finishes it the next time it can, or "
                "run `segtui segments refresh --all`")


@dataclass(frozen=True)
class MatchLine:
    """One condition of a rule and whether the contact meets it."""

    depth: int
    text: str  # the condition (or group) in the query language
    matched: bool


@dataclass(frozen=True)
class Explanation:
    """Why a contact is (or is not) in a segment."""

    member: bool
    added_by_hand: str | None  # "Added by hand by Sarah Mitchell on 20/01/2024", or None
    excluded_by_hand: bool
    lines: tuple[MatchLine, ...]  # the rule, condition by condition (dynamic segments)
    rule_matches: bool | None  # None for static segments
    # "Member since 20/01/2024 09:48: entered by the rule" (C20.2.3); None if not one.
    since: str | None = None


def evaluated_words(evaluated_at: datetime | None, elapsed_ms: int | None,
                    now: datetime) -> str:
    """"evaluated 3 min ago in 120 ms", or "not evaluated yet" (C20.7.5)."""
    if evaluated_at is None:
        return "not evaluated yet"
    return f"evaluated {time_ago(evaluated_at, now)} in {elapsed_ms or 0:,} ms"


def failure_words(failed_at: datetime | None, error: str | None, now: datetime) -> str:
    """"Evaluation failed 5 min ago: unknown field 'x'", or "" when it did not (C20.7.5).
    The message is the database's or the rule's: user text, never markup."""
    if error is None:
        return ""
    when = f" {time_ago(failed_at, now)}" if failed_at is not None else ""
    return f"Evaluation failed{when}: {error}"
