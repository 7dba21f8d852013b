"""Who uses which segment (C19.4.5, C19.4.6): adoption over the last 30 or 90 days, and
the segments nobody used in 90 days, which an administrator may archive.

What counts as a use, from the audit log (C19.4.1) and the campaigns:
- a view: the segment's detail screen shown (`metrics_viewed`);
- an export: its members written to a file (`members_exported`);
- a campaign: one that targets the segment and is running now (Active), or was created
  in the period. Campaigns carry no history of their links or their status, so "in the
  last N days" is what the tables can answer: what runs now, and what started since.
- for "unused" also an edit (details, rule, members), its creation and a restore from
  the archive: a segment someone is working on is in use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from segtui.core.audit import Action
from segtui.core.enums import SegmentKind, SegmentStatus
from segtui.core.segments import SegmentError

PERIODS = (30, 90)  # the adoption view's periods, in days; a key toggles them
UNUSED_DAYS = 90  # not used in this many days: unused

# The audit actions that count as a use of a segment for "unused" (a view, an export,
# an edit, its creation, a restore), besides its campaigns.
USES = (Action.METRICS_VIEWED, Action.MEMBERS_EXPORTED, Action.SEGMENT_EDITED,
        Action.SEGMENT_CREATED, Action.SEGMENT_RESTORED)


@dataclass(frozen=True)
class SegmentUsage:
    """One segment's adoption in a period: views, exports, campaigns (most used first)."""

    id: int
    name: str
    status: SegmentStatus
    views: int
    exports: int
    campaigns: int

    @property
    def uses(self) -> int:
        return self.views + self.exports + self.campaigns


@dataclass(frozen=True)
class UnusedSegment:
    """A segment not archived and not used in UNUSED_DAYS days; `last_used` is its latest
    use, or its last change when the log has none (the log began with migration 0015)."""

    id: int
    name: str
    status: SegmentStatus
    kind: SegmentKind
    owner: str | None
    last_used: datetime


@dataclass
class ArchiveRefused(SegmentError):
    """Archive of a segment archived already, or restore of one that is not (someone
    else did it meanwhile): nothing changed."""

    name: str
    archived: bool  # what it is now

    def __str__(self) -> str:
        return (f"“{self.name}” is already archived." if self.archived
                else f"“{self.name}” is not archived.")
