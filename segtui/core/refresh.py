"""What the live refresh engine reports (data/dynamic.py): a segment's re-evaluation, and
why a contact is in a segment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from segtui.core.formatting import plural


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
