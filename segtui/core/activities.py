"""The segment timeline and notes (R7.9, R7.10): records, types, formats and rules."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from segtui.core.validation import describe_char

# R7.9 names the first five; the rest are what segtui logs by itself.
USER_ACTIVITY_TYPES = (
    "Segment Optimization",
    "Deal Created",
    "Social Engagement",
    "Phone Outreach",
    "Note Added",
    "Email Campaign",
    "Meeting Scheduled",
    "Other",
)
# What Add Activity starts with (U15.13): something a person does. "Segment
# Optimization" heads the spec's list but is the AI's entry in its sample timeline (no
# performer), and "Note Added" is logged by saving a note; the rest are people's work,
# and phone outreach is the one the spec's own sample shows a user logging.
DEFAULT_ACTIVITY_TYPE = "Phone Outreach"
SYSTEM_ACTIVITY_TYPES = (
    "Segment Created",
    "Segment Edited",
    "Status Changed",
    "Contacts Added",
    "Contacts Removed",
    "Campaigns Paused",
    "Contacts Merged",
    "Members Refreshed",
    "Segment Archived",
    "Segment Restored",
    "Owner Changed",  # C19.3.6: an administrator gave the segment to someone else
    "Campaign Status Changed",  # C20.4.4: a campaign using the segment
)
ACTIVITY_TYPES = USER_ACTIVITY_TYPES + tuple(
    t for t in SYSTEM_ACTIVITY_TYPES if t not in USER_ACTIVITY_TYPES
)

ICONS = {
    "Segment Optimization": "✦",
    "Deal Created": "$",
    "Social Engagement": "♥",
    "Phone Outreach": "☎",
    "Note Added": "✎",
    "Email Campaign": "✉",
    "Meeting Scheduled": "◷",
    "Segment Created": "+",
    "Segment Edited": "✐",
    "Status Changed": "◐",
    "Contacts Added": "⊕",
    "Contacts Removed": "⊖",
    "Campaigns Paused": "‖",
    "Contacts Merged": "⇉",
    "Members Refreshed": "↻",
    "Segment Archived": "▣",
    "Segment Restored": "▢",
    "Owner Changed": "⇄",
    "Campaign Status Changed": "▷",
}

EDIT_WINDOW = timedelta(hours=24)
DESCRIPTION_MAX = 500
DETAILS_MAX = 2000
NOTE_MAX = 5000


def icon(kind: str) -> str:
    return ICONS.get(kind, "•")


def timeline_time(at: datetime) -> str:
    """R7.9: "Month DD, YYYY HH:MM"."""
    return at.strftime("%B %d, %Y %H:%M")


@dataclass(frozen=True)
class ActivityRow:
    id: int
    type: str
    description: str
    details: str
    performer_id: int | None
    performer: str  # "segtui" when the system did it
    created_at: datetime
    edited_at: datetime | None
    version: int

    def editable_by(self, user_id: int, now: datetime) -> bool:
        """R7.9 "Edit option available for recent activities": by their author, within
        24 hours of creation."""
        return self.performer_id == user_id and now - self.created_at <= EDIT_WINDOW


@dataclass(frozen=True)
class ActivityFilter:
    types: frozenset[str] = frozenset()  # empty: every type
    start: date | None = None  # inclusive
    end: date | None = None  # inclusive


@dataclass(frozen=True)
class NoteRow:
    id: int
    body: str
    author: str
    created_at: datetime


def _text_error(what: str, text: str, limit: int, *, required: bool) -> str | None:
    text = text.strip()
    if required and not text:
        return f"{what} is required."
    if len(text) > limit:
        return f"{what} must be at most {limit} characters (this one has {len(text)})."
    for ch in text:
        if ch not in "\n\t" and unicodedata.category(ch) == "Cc":
            return f"{what} can't contain {describe_char(ch)}."
    return None


def activity_errors(description: str, details: str) -> dict[str, str]:
    errors = {
        "description": _text_error("Description", description, DESCRIPTION_MAX, required=True),
        "details": _text_error("Details", details, DETAILS_MAX, required=False),
    }
    return {k: v for k, v in errors.items() if v}


def note_error(body: str) -> str | None:
    return _text_error("A note", body, NOTE_MAX, required=True)


class TimelineError(Exception):
    """An activity or note write that can't be done; the message says why."""
