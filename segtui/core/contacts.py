"""Choosing contacts: the picker's filter, its rows, and what the user has selected.

A selection is the list of the user's actions, not a list of ids, so that "Select all" can
mean all 100,000 contacts matching a filter without loading them: the Store turns the
actions into one SQL condition (the last action that mentions a contact decides).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from segtui.core.enums import (
    CompanySize,
    LeadStatus,
    LifecycleStage,
    MembershipSource,
    SourceChannel,
)
from segtui.core.formatting import plural
from segtui.core.records import Choice

SCORE_MIN, SCORE_MAX = 0, 100


@dataclass(frozen=True)
class ContactFilter:
    """Narrows the contact list. Empty fields mean "all"."""

    search: str = ""  # name, email or company contains
    status: LeadStatus | None = None
    size: CompanySize | None = None
    segment: Choice | None = None  # current member of this segment (key = segment id)
    city: str | None = None
    state: str | None = None
    score: tuple[int, int] = (SCORE_MIN, SCORE_MAX)
    # Not a user filter: the picker's base when adding to a segment ("contacts not already
    # in the segment", R7.3).
    not_in_segment: int | None = None

    def cleared(self) -> ContactFilter:
        """Every user filter off; the base kept."""
        return ContactFilter(not_in_segment=self.not_in_segment)


@dataclass(frozen=True)
class ContactRow:
    id: int
    name: str
    title: str
    company: str
    email: str
    phone: str
    status: LeadStatus
    city: str
    state: str
    tags: tuple[str, ...]
    quality_score: int
    last_contacted_at: datetime | None
    selected: bool = False


@dataclass(frozen=True)
class SelectAll:
    """"Select all" (or "deselect all") of the contacts matching a filter."""

    filter: ContactFilter
    selected: bool


@dataclass(frozen=True)
class Toggles:
    """Rows ticked or unticked one by one, in a stretch between two SelectAll actions."""

    states: tuple[tuple[int, bool], ...]

    def get(self, contact_id: int) -> bool | None:
        for cid, state in self.states:
            if cid == contact_id:
                return state
        return None


Action = SelectAll | Toggles


@dataclass(frozen=True)
class ContactSelection:
    actions: tuple[Action, ...] = ()

    def toggled(self, contact_id: int, selected: bool) -> ContactSelection:
        last = self.actions[-1] if self.actions else None
        if isinstance(last, Toggles):
            states = tuple(s for s in last.states if s[0] != contact_id)
            return replace(self, actions=(*self.actions[:-1], Toggles((*states,
                                                                       (contact_id, selected)))))
        return replace(self, actions=(*self.actions, Toggles(((contact_id, selected),))))

    def with_all(self, flt: ContactFilter, selected: bool) -> ContactSelection:
        """Select or deselect everything matching `flt`. Deselecting everything under the
        base filter is the same as starting over, so the history is dropped then."""
        if not selected and flt == flt.cleared():
            return ContactSelection()
        if selected and flt == flt.cleared():
            return ContactSelection((SelectAll(flt, True),))
        return replace(self, actions=(*self.actions, SelectAll(flt, selected)))

    @property
    def is_empty(self) -> bool:
        return not any(
            (isinstance(a, SelectAll) and a.selected) or (isinstance(a, Toggles)
            and any(s for _, s in a.states))
            for a in self.actions
        )

    def single_select_all(self) -> ContactFilter | None:
        """The filter, when the selection is exactly "all matching it" (count is known)."""
        if len(self.actions) == 1 and isinstance(self.actions[0], SelectAll):
            action = self.actions[0]
            return action.filter if action.selected else None
        return None


@dataclass(frozen=True)
class ContactMembership:
    """A segment a contact is currently in."""

    segment_id: int
    segment: str
    source: MembershipSource
    added_at: datetime


@dataclass(frozen=True)
class ContactDetails:
    """Every field of one contact, with the segments it is in now."""

    id: int
    name: str
    email: str
    phone: str
    title: str
    company: str
    company_size: CompanySize | None
    industry: str
    status: LeadStatus
    lifecycle_stage: LifecycleStage | None
    source: SourceChannel | None
    city: str
    state: str
    country: str
    region: str
    quality_score: int
    tags: tuple[str, ...]
    created_at: datetime
    last_contacted_at: datetime | None
    last_activity_at: datetime | None
    spent_cents: int
    purchases: int
    segments: tuple[ContactMembership, ...]
    external_id: str | None = None  # its id in the system it was imported from


class ErasureError(ValueError):
    """An erasure that can't be done (no such contact): the message says why."""


@dataclass(frozen=True)
class Erasure:
    """What erasing a contact removed (C19.5): counts and ids, nothing personal."""

    contact_id: int
    events: int
    segment_stays: int  # rows of membership, history included
    tags: int
    segments: tuple[int, ...]  # the segments it was a member of
    timeline_lines: int  # segtui's activity lines that named it, now "an erased contact"
    notes_mentioning: int  # notes (users' words, left as written) naming it

    def summary(self) -> str:
        return (f"{plural(self.events, 'event')}, {plural(self.segment_stays, 'segment stay')},"
                f" {plural(self.tags, 'tag')}, member of {plural(len(self.segments), 'segment')},"
                f" {plural(self.timeline_lines, 'timeline line')} reworded")
