"""The data quality report (Q6.4): the administrator's view of contact accuracy.

Definitions (docs/quality.md):
- missing email: no email; invalid email: fails the Quality Score's email rule
  (docs/metrics.md); missing phone: no phone (blank counts as missing);
- likely duplicates: contacts sharing an email (case-insensitive), or sharing a
  normalised name (case-folded, spaces collapsed) and the same company;
- stale: no action (any event but sent/unsubscribed) and no contact by the team in the
  last STALE_DAYS days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

STALE_DAYS = 180
SHOWN_GROUPS = 50  # duplicate groups listed (the counts cover all of them)
SHOWN_SEGMENTS = 10


@dataclass(frozen=True)
class DuplicateMember:
    id: int
    name: str
    email: str | None
    company: str | None
    created_at: datetime
    segments: int  # current memberships


@dataclass(frozen=True)
class DuplicateGroup:
    reason: str  # "same email" or "same name and company"
    key: str  # the shared email, or "name · company"
    contacts: tuple[DuplicateMember, ...]  # oldest first: the one a merge keeps


@dataclass(frozen=True)
class SegmentQuality:
    id: int
    name: str
    members: int
    flagged: int  # members with any problem above (email, phone, duplicate, stale)

    @property
    def share(self) -> float:
        return self.flagged / self.members if self.members else 0.0


@dataclass(frozen=True)
class QualityReport:
    contacts: int
    missing_email: int
    invalid_email: int
    missing_phone: int
    duplicate_email_groups: int
    duplicate_email_contacts: int
    duplicate_name_groups: int
    duplicate_name_contacts: int
    stale: int
    groups: tuple[DuplicateGroup, ...]  # the first SHOWN_GROUPS, same email first
    segments: tuple[SegmentQuality, ...]  # the SHOWN_SEGMENTS with most flagged members


@dataclass(frozen=True)
class MergeResult:
    kept: int
    merged: tuple[int, ...]
    memberships_moved: int
    events_moved: int
    segments: tuple[int, ...]  # segments whose membership changed (logged there)


class MergeError(Exception):
    """A merge that can't be done (unknown contacts, a contact merged into itself)."""
