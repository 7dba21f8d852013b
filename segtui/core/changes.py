"""What another segtui changed in the shared database (C19.1, live collaboration): the records
the change log gives back, and the words a screen shows about them."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from segtui.core.activities import USER_ACTIVITY_TYPES
from segtui.core.formatting import plural

# The kinds of change that touch no one segment but what every segment may show: who
# its members are, their figures, their events (`Change.segment_id` is None for these).
CONTACTS_IMPORTED = "Contacts Imported"
CONTACTS_MERGED = "Contacts Merged"
CONTACT_ERASED = "Contact Erased"
SEGMENT_DELETED = "Segment Deleted"
MEMBERS_REFRESHED = "Members Refreshed"
ACTIVITY_EDITED = "Activity Edited"
# Lines on a segment's timeline and nothing else: no member, contact or figure changed.
TIMELINE_ONLY = frozenset(USER_ACTIVITY_TYPES) | {ACTIVITY_EDITED}
# A segment's own details (name, description, status, tags, kind, rule) saved, or the
# segment deleted: what an edit dialog open on it would overwrite (core/activities.py).
SEGMENT_EDITS = frozenset({"Segment Edited", "Status Changed", SEGMENT_DELETED})


@dataclass(frozen=True)
class Change:
    """One committed change by another segtui (another person, or the same person in
    another terminal or a script)."""

    id: int
    at: datetime
    actor: str | None  # None: segtui itself (a scheduled re-evaluation)
    what: str  # the activity's kind: "Note Added", "Contacts Added", ...
    segment_id: int | None  # None: contacts or events, which any segment may show
    segment_name: str | None  # None: no segment, or the segment is gone
    detail: str = ""  # a deleted segment's name

    @property
    def touches_members(self) -> bool:
        """Might who is in which segment, or what a contact holds, have changed?"""
        return self.what not in TIMELINE_ONLY

    def concerns(self, segment_id: int) -> bool:
        """Might a screen showing this segment show something else now?"""
        return self.segment_id is None or self.segment_id == segment_id

    @property
    def by(self) -> str:
        return self.actor or "segtui"


@dataclass(frozen=True)
class ChangesSince:
    """One look at the change log: others' changes, oldest first; where the next look
    starts; and whether there were more than one look reads (then anything may have
    changed)."""

    changes: list[Change]
    newest: int
    more: bool


class ChangeWatch(Protocol):
    """A wait for another connection's commit (data/db/change_watch.py)."""

    def wait(self, timeout: float) -> bool:
        """Block up to `timeout` seconds; True if another connection may have committed."""
        ...

    def close(self) -> None: ...


class ChangeFeed(Protocol):
    """Where others' changes are read (the Store's `changes` facet)."""

    def newest(self) -> int: ...

    def since(self, after: int) -> ChangesSince: ...

    def watch(self, stop: threading.Event) -> ChangeWatch: ...


def names(changes: Sequence[Change]) -> str:
    """Who made them, in order of first appearance: "alice", "alice and bob",
    "alice, bob and 2 others"."""
    seen = list(dict.fromkeys(c.by for c in changes))
    if len(seen) <= 2:
        return " and ".join(seen)
    return f"{seen[0]}, {seen[1]} and {plural(len(seen) - 2, 'other')}"


def updated_by(changes: Sequence[Change], segment_id: int | None = None) -> str:
    """The one line a screen shows when others' changes arrive: "Updated by alice:
    Note Added on “VIP”", or for several, "Updated by alice and bob: 3 changes".
    `segment_id`: a screen about one segment names only what concerns it."""
    if segment_id is not None:
        changes = [c for c in changes if c.concerns(segment_id)]
    if not changes:
        return ""
    if len(changes) == 1:
        change = changes[0]
        where = change.segment_name or change.detail
        on = f" on “{where}”" if where and segment_id is None else ""
        return f"Updated by {change.by}: {change.what}{on}"
    return f"Updated by {names(changes)}: {len(changes)} changes"
