"""Membership history (C20.1, C20.3): who entered and left a segment, when, why and by
whom; its size day by day; and over a period, how stable it was and where the members
who left went (and the ones who entered came from).

A membership is a stay (data/db/tables/segments.py): entering is its `added_at`, leaving
its `removed_at`. The stays are the per-contact log; `segment_daily_sizes` keeps each
closed day's size so long ranges stay cheap after the log is pruned (C20.1.4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from segtui.core.formatting import plural

DEFAULT_RETENTION_DAYS = 400  # C20.1.4: how long ended stays are kept
# An administrator's setting within these (days): at least the 6 months the growth chart
# and the compare screen's retention read from the stays themselves.
RETENTION_RANGE = (190, 36_500)
PERIODS = (7, 30, 90)  # the periods offered for stability (C20.3.1)
TOP_MOVES = 10  # rows of each from/to table


class Why(StrEnum):
    """Why a contact entered or left a segment (C20.1.1)."""

    RULE = "rule"  # a rule's evaluation (refresh, re-evaluation after a change)
    MANUAL = "manual"  # added or removed by hand, in the app or the command line
    COPY = "copy"  # copied from another segment (duplicate, freeze)
    MERGE = "merge"  # two contacts merged into one: the duplicate stay ended


HOW_ENTERED = {
    Why.RULE: "entered by the rule",
    Why.MANUAL: "added by hand",
    Why.COPY: "copied from another segment",
    Why.MERGE: "kept from a merged contact",
}


def member_since(at: datetime, why: Why, by: str | None) -> str:
    """"Member since 20/01/2024 09:48: added by hand by Sarah Mitchell" (C20.2.3)."""
    who = f" by {by}" if by and why is not Why.RULE else ""
    return f"Member since {at:%d/%m/%Y %H:%M}: {HOW_ENTERED[why]}{who}"


class Direction(StrEnum):
    ENTERED = "entered"
    LEFT = "left"


def why_entered(stored: str | None, source: str) -> Why:
    """A stay written before the reason was kept (or by a path that leaves it as its
    source says) entered as its source: the rule's, or by hand."""
    return Why(stored) if stored else Why(source)


def why_left(stored: str | None, removed_by: int | None) -> Why:
    """A stay ended before the reason was kept: by nobody is a rule's evaluation (it
    writes no user), by someone is by hand."""
    if stored:
        return Why(stored)
    return Why.RULE if removed_by is None else Why.MANUAL


@dataclass(frozen=True)
class MembershipChange:
    """One entry or exit, newest first in a page; `key` pages on (C20.2.2)."""

    at: datetime
    direction: Direction
    contact_id: int
    contact_name: str
    email: str
    why: Why
    by: str | None  # the user, or None for a rule
    key: tuple[datetime, int, str]  # (at, stay id, direction): the keyset


@dataclass(frozen=True)
class HistoryFilter:
    """Which changes a page lists (C20.2.2): a direction, a reason, a date range, a
    contact."""

    direction: Direction | None = None
    why: Why | None = None
    since: date | None = None  # from the start of this day
    until: date | None = None  # to the end of this day
    contact_id: int | None = None  # one contact's entries and exits (C20.2.3)

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        start = datetime.combine(self.since, datetime.min.time()) if self.since else None
        end = (datetime.combine(self.until + timedelta(days=1), datetime.min.time())
               if self.until else None)
        return start, end


@dataclass(frozen=True)
class HistoryPage:
    changes: tuple[MembershipChange, ...]
    more: bool  # older changes after the last one


@dataclass(frozen=True)
class DailySize:
    """A segment at the end of a day: its members, and who entered and left that day."""

    day: date
    members: int
    entered: int
    left: int


@dataclass(frozen=True)
class Move:
    """Another segment and how many of the period's leavers entered it (or entrants left
    it) within the period."""

    segment_id: int
    name: str
    contacts: int


@dataclass(frozen=True)
class Stability:
    """A segment over a period (C20.3.1): members at its start and end, how many of the
    first are still members (stability), who left and who entered, and where they went
    and came from (largest first)."""

    start: datetime
    end: datetime
    members_at_start: int
    members_at_end: int
    stayed: int
    left: int
    entered: int
    went_to: tuple[Move, ...]
    came_from: tuple[Move, ...]

    @property
    def stability(self) -> float | None:
        """Share of the members at the start still members at the end; None when it had
        none at the start."""
        return self.stayed / self.members_at_start if self.members_at_start else None

    @property
    def churn_out(self) -> float | None:
        return self.left / self.members_at_start if self.members_at_start else None

    @property
    def churn_in(self) -> float | None:
        """Entrants as a share of the members at the end."""
        return self.entered / self.members_at_end if self.members_at_end else None


def period(days: int, now: datetime) -> tuple[datetime, datetime]:
    """The last `days` days up to now."""
    return now - timedelta(days=days), now


def check_period(start: datetime, end: datetime) -> None:
    if end <= start:
        raise ValueError("The period's end must come after its start.")


def check_retention(days: int) -> None:
    low, high = RETENTION_RANGE
    if not low <= days <= high:
        raise ValueError(f"Keep the history from {low:,} to {plural(high, 'day')}.")
