"""What a user submits when creating or editing a segment, and what can go wrong."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from segtui.core.enums import CampaignStatus, SegmentKind, SegmentStatus, Visibility
from segtui.core.formatting import plural
from segtui.core.rules.tree import Node
from segtui.core.sharing import Sharing
from segtui.core.validation import (
    FieldError,
    description_error,
    normalise_name,
    segment_name_error,
    tags_error,
)


@dataclass(frozen=True)
class SegmentDraft:
    name: str
    description: str = ""
    tags: tuple[str, ...] = ()
    status: SegmentStatus = SegmentStatus.DRAFT
    # A dynamic segment's rule (core/rules/tree.py); None for a static (hand-picked) segment.
    rule: Node | None = None

    @property
    def kind(self) -> SegmentKind:
        return SegmentKind.STATIC if self.rule is None else SegmentKind.DYNAMIC

    def normalised(self, kept: SegmentDraft | None = None) -> SegmentDraft:
        """Names and tags with their spaces normalised, the description trimmed. `kept`:
        the segment as stored, when this is an edit of it; a name or description the edit
        left exactly as stored stays exactly so (I16.8)."""
        return SegmentDraft(
            name=self.name if self._kept_name(kept) else normalise_name(self.name),
            description=(self.description if self._kept_description(kept)
                         else self.description.strip()),
            tags=tuple(normalise_name(t) for t in self.tags),
            status=self.status,
            rule=self.rule,
        )

    def errors(self, *, kept_tags: Sequence[str] = (),
               kept: SegmentDraft | None = None) -> list[FieldError]:
        """Every rule broken; `kept_tags` were already on the segment (see tag_error).
        A name or description exactly as `kept` (the segment as stored) has it is not
        judged again, like a kept tag: it was accepted once (by an older segtui, another
        tool sharing the database), and saving a change to the status must neither be
        refused for it nor alter it (I16.8). Once edited, it is judged like a new
        segment's."""
        return [
            FieldError(f, m)
            for f, m in (
                ("name", None if self._kept_name(kept) else segment_name_error(self.name)),
                ("description", None if self._kept_description(kept)
                 else description_error(self.description.strip())),
                ("tags", tags_error(self.tags, kept=kept_tags)),
            )
            if m
        ]

    def _kept_name(self, kept: SegmentDraft | None) -> bool:
        return kept is not None and bool(kept.name) and self.name == kept.name

    def _kept_description(self, kept: SegmentDraft | None) -> bool:
        return kept is not None and self.description == kept.description


@dataclass(frozen=True)
class SegmentDetails:
    """A segment as the edit form shows it, with its version for conflict detection."""

    id: int
    name: str
    description: str
    status: SegmentStatus
    tags: tuple[str, ...]
    version: int
    created_at: datetime
    updated_at: datetime
    owner: str | None
    members: int
    active_campaigns: int
    rule: Node | None = None
    # Campaigns of any status that use it (the segments list's and the API's figure).
    campaigns: int = 0
    evaluated_at: datetime | None = None
    evaluation_ms: int | None = None
    # C20.7.2: why its last evaluation failed, and when (None since one succeeded).
    evaluation_error: str | None = None
    evaluation_failed_at: datetime | None = None
    # C19.3.2: its owner's id, who sees it, and the users it is hidden from (by name).
    owner_id: int | None = None
    visibility: Visibility = Visibility.EVERYONE
    hidden_from: tuple[str, ...] = ()

    @property
    def kind(self) -> SegmentKind:
        return SegmentKind.STATIC if self.rule is None else SegmentKind.DYNAMIC

    def as_draft(self) -> SegmentDraft:
        return SegmentDraft(self.name, self.description, self.tags, self.status, self.rule)

    def changes_to(self, after: SegmentDraft) -> list[str]:
        """What an edit changes, as the timeline says it ("name “A” → “B”", "tags")."""
        changes = []
        if self.name != after.name:
            changes.append(f"name “{self.name}” → “{after.name}”")
        if self.description != after.description:
            changes.append("description")
        if self.status is not after.status:
            changes.append(f"status {self.status.value} → {after.status.value}")
        if sorted(t.strip().casefold() for t in self.tags) != \
                sorted(t.strip().casefold() for t in after.tags):
            changes.append("tags")
        if self.kind is not after.kind:
            changes.append(f"type {self.kind.value} → {after.kind.value}")
        elif self.rule != after.rule:
            changes.append("rule")
        return changes

    @property
    def sharing(self) -> Sharing:
        return Sharing(self.visibility, self.hidden_from)


@dataclass(frozen=True)
class CampaignRef:
    id: int
    name: str
    status: CampaignStatus


@dataclass(frozen=True)
class DeletePreview:
    """What deleting a segment would remove, and what blocks it (R7.4)."""

    segment: SegmentDetails
    campaigns: tuple[CampaignRef, ...]
    notes: int
    activities: int
    used_by: tuple[str, ...] = ()  # dynamic segments whose rules use this one (D1)

    @property
    def active_campaigns(self) -> tuple[CampaignRef, ...]:
        return tuple(c for c in self.campaigns if c.status is CampaignStatus.ACTIVE)


# -- what can go wrong when writing ------------------------------------------------------


class SegmentError(Exception):
    """Base of the errors a segment write reports to the user."""


@dataclass
class InvalidSegment(SegmentError):
    errors: list[FieldError] = field(default_factory=list)

    def __str__(self) -> str:
        return " ".join(e.message for e in self.errors)


@dataclass
class DuplicateSegmentName(SegmentError):
    name: str

    def __str__(self) -> str:
        return f"A segment named “{self.name}” already exists (names ignore case)."


@dataclass
class SegmentNotFound(SegmentError):
    segment_id: int

    def __str__(self) -> str:
        return "This segment no longer exists: someone deleted it."


@dataclass
class SegmentConflict(SegmentError):
    """Someone else saved the segment after it was opened for editing."""

    current: SegmentDetails

    def __str__(self) -> str:
        return "Someone else changed this segment while you were editing it."


@dataclass
class SegmentInUse(SegmentError):
    active: tuple[CampaignRef, ...]

    def __str__(self) -> str:
        n = len(self.active)
        return (
            "This segment cannot be deleted because it is being used in active campaigns. "
            f"You need to pause {plural(n, 'active campaign')} before deleting "
            "this segment."
        )

    def naming_them(self) -> str:
        """The message with the active campaigns named, as the CLI and the API say it."""
        return f"{self} Active: {', '.join(c.name for c in self.active)}."


# C19.3: how many segments one person may own (the dynamic-segments document's cap; an
# administrator changes it), and from how close the Create dialog says how many are left.
DEFAULT_SEGMENT_LIMIT = 50
NEAR_LIMIT = 5


@dataclass
class SegmentLimitReached(SegmentError):
    user: str
    limit: int

    def __str__(self) -> str:
        return (f"{self.user} already owns the most segments one person may create "
                f"({self.limit:,}): delete one, or ask an administrator to raise the limit.")


@dataclass
class NotAllowed(SegmentError):
    user: str
    role: str
    action: str

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) is not allowed to {self.action}."


@dataclass
class SegmentUsedByRules(SegmentError):
    """Other dynamic segments' rules use this segment ("in segment X"), so it cannot be
    deleted or deactivated (D1.5)."""

    users: tuple[str, ...]
    action: str = "deleted"

    def __str__(self) -> str:
        names = ", ".join(f"“{n}”" for n in self.users)
        return (f"This segment cannot be {self.action}: the rules of {names} use it. "
                "Change those rules first.")
