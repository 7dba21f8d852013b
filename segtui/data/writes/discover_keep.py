"""Keeping a Discover cluster as a segment (C22.3.1, C22.3.4), in the caller's write
transaction: created as the app creates any segment (`segment_writes.create_segment`:
permission, the creator's limit, the name's rules and uniqueness, the log and the audit),
its members added as the app adds contacts picked by hand (`add_selected_members`).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from segtui.core import clock
from segtui.core.contacts import ContactSelection, Toggles
from segtui.core.enums import SegmentStatus
from segtui.core.formatting import plural
from segtui.core.permissions import CurrentUser
from segtui.core.rules.tree import Node
from segtui.core.segments import SegmentDraft
from segtui.data.queries.contact_list import add_selected_members
from segtui.data.writes.activity import log_activity
from segtui.data.writes.segment_writes import create_segment

# Contacts added a statement: their ids are the statement's parameters, twice (SQLite
# takes 32,766 at most).
CHUNK = 5_000


def keep_static(conn: Connection, name: str, description: str, contact_ids: Sequence[int],
                cluster: str, user: CurrentUser) -> int:
    """C22.3.1: a new static segment of those of `contact_ids` that still exist (Active:
    the user keeps it to use it). The segment's timeline says where its members came
    from."""
    draft = SegmentDraft(name=name, description=description, status=SegmentStatus.ACTIVE)
    segment_id = create_segment(conn, draft, ContactSelection(), user)
    now = clock.now()
    added = 0
    for at in range(0, len(contact_ids), CHUNK):
        chunk = Toggles(tuple((int(c), True) for c in contact_ids[at:at + CHUNK]))
        added += add_selected_members(conn, segment_id, ContactSelection((chunk,)),
                                      now=now, actor_id=user.id)
    log_activity(conn, segment_id, "Contacts Added",
                 f"Kept {plural(added, 'contact')} of the Discover cluster “{cluster}”", "",
                 user, now)
    return segment_id


def keep_dynamic(conn: Connection, name: str, description: str, rule: Node,
                 user: CurrentUser) -> int:
    """C22.3.4: a new dynamic segment kept to `rule` (its members: the rule's, from the
    refresh creating it makes)."""
    draft = SegmentDraft(name=name, description=description, status=SegmentStatus.ACTIVE,
                         rule=rule)
    return create_segment(conn, draft, ContactSelection(), user)
