"""Every segment's definition, for `segments dump`, `plan` and `apply` (C21.4.1,
C21.4.3): name, description, status, tags and rule, with the version an update is made
on, in three statements whatever the number of segments (the detail header would count
each segment's members, which segments as code never shows).

Only the segments `viewer` sees (C19.3.2), and not the archived ones (C19.4.6). A rule
names each segment it uses as that segment is named now (the rule's id is the identity;
the name stored with it is the one it had when the rule was saved).
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Connection, func, select

from segtui.core.enums import SegmentStatus
from segtui.core.formats.segments_toml import SegmentSpec
from segtui.core.permissions import CurrentUser
from segtui.core.rules.tree import from_json, spelled
from segtui.core.segment_plan import Stored
from segtui.data.db.tables import Segment, Tag, segment_tags
from segtui.data.queries.visibility import visible_to


def segment_definitions(conn: Connection, viewer: CurrentUser | None) -> list[Stored]:
    shown = (visible_to(viewer), Segment.archived_at.is_(None))
    tags: dict[int, list[str]] = defaultdict(list)
    for segment_id, tag in conn.execute(
            select(segment_tags.c.segment_id, Tag.name)
            .join(Tag, Tag.id == segment_tags.c.tag_id)
            .join(Segment, Segment.id == segment_tags.c.segment_id)
            .where(*shown).order_by(func.lower(Tag.name), Tag.name)):
        tags[int(segment_id)].append(tag)
    rows = conn.execute(
        select(Segment.id, Segment.name, Segment.description, Segment.status,
               Segment.version, Segment.rule)
        .where(*shown).order_by(Segment.name_key, Segment.id)).all()
    names: dict[int, str] | None = None
    found = []
    for row in rows:
        rule = None
        if row.rule:
            if names is None:  # every segment's: a rule may name one hidden from viewer
                names = {int(i): n for i, n in conn.execute(select(Segment.id,
                                                                   Segment.name))}
            rule = spelled(from_json(row.rule), names)
        spec = SegmentSpec(row.name, SegmentStatus(row.status), row.description,
                           tuple(tags[int(row.id)]), rule)
        found.append(Stored(int(row.id), int(row.version), spec))
    return found
