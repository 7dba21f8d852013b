"""One segment read whole: its header (its row, owner, tags, active campaigns and members:
the detail screen, `segtui segments show`, and every write that checks the segment
first), and what deleting it would touch (the delete dialog's preview).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Connection, Integer, Select, bindparam, func, select, true

from segtui.core.enums import CampaignStatus, SegmentStatus, Visibility
from segtui.core.permissions import CurrentUser
from segtui.core.rules.tree import from_json, spelled
from segtui.core.segments import CampaignRef, DeletePreview, SegmentDetails
from segtui.data.db.sql import segment_size
from segtui.data.db.tables import (
    Activity,
    Campaign,
    Note,
    Segment,
    Tag,
    User,
    campaign_segments,
    segment_hidden_from,
    segment_tags,
)
from segtui.data.queries.segment_list import campaign_count, current_names
from segtui.data.queries.visibility import seen_by_user, sees_everything
from segtui.data.rules.refresh import uses_of

# The names of the users a segment is hidden from, one a line (user names hold no line
# break: core/validation.py), in one column of the header's statement.
NAMES_APART = "\n"


def details(conn: Connection, segment_id: int, *, viewer: CurrentUser | None
            ) -> SegmentDetails | None:
    """The segment's header, in one statement: its row, owner, tags (a row each, in name
    order), campaigns (active, and of any status) and current members. The detail screen
    opens with it beside the cards' statements, where each round trip waits its turn for
    the interpreter (P6); the API's GET is this statement and the token's (C21.1.13). None
    when `viewer` does not see the segment (C19.3.2): it is then as one that does not
    exist."""
    everything = sees_everything(viewer)
    values = {"header_segment": segment_id}
    if not everything:
        assert viewer is not None
        values["header_viewer"] = viewer.id
    rows = conn.execute(_header(everything), values).all()
    if not rows:
        return None
    row = rows[0]
    rule = from_json(row.rule) if row.rule else None
    if rule is not None:  # each segment it names under its name now (not as saved)
        rule = spelled(rule, current_names(conn, [rule]))
    return SegmentDetails(
        id=row.id, name=row.name, description=row.description,
        status=SegmentStatus(row.status),
        tags=tuple(r.tag for r in rows if r.tag is not None), version=row.version,
        created_at=row.created_at, updated_at=row.updated_at, owner=row.owner,
        members=int(row.members),
        active_campaigns=int(row.active), campaigns=int(row.campaigns),
        rule=rule, evaluated_at=row.evaluated_at,
        evaluation_ms=row.evaluation_ms, evaluation_error=row.evaluation_error,
        evaluation_failed_at=row.evaluation_failed_at, owner_id=row.owner_id,
        visibility=Visibility(row.visibility),
        hidden_from=tuple(sorted(row.hidden_from.split(NAMES_APART), key=str.casefold)
                          if row.hidden_from else ()),
    )


@cache
def _header(everything: bool) -> Select[*tuple[Any, ...]]:
    """The header's statement, built once for a viewer who sees every segment and once for
    one who doesn't (the segment and the viewer are bound parameters): building it took
    more of a GET's time than running it (C21.1.13)."""
    segment_id = bindparam("header_segment", type_=Integer)
    used = campaign_segments.c
    counts = [
        select(func.count()).select_from(campaign_segments)
        .join(Campaign, Campaign.id == used.campaign_id)
        .where(used.segment_id == segment_id, Campaign.status == CampaignStatus.ACTIVE)
        .scalar_subquery().label("active"),
        campaign_count().label("campaigns"),
        segment_size(segment_id).label("members"),
    ]
    hidden_user = User.__table__.alias("hidden_user")
    counts.append(select(func.aggregate_strings(hidden_user.c.name, NAMES_APART))
                  .select_from(segment_hidden_from)
                  .join(hidden_user, hidden_user.c.id == segment_hidden_from.c.user_id)
                  .where(segment_hidden_from.c.segment_id == segment_id)
                  .scalar_subquery().label("hidden_from"))
    seen = true() if everything else seen_by_user(bindparam("header_viewer", type_=Integer))
    return (
        select(Segment.id, Segment.name, Segment.description, Segment.status, Segment.version,
               Segment.created_at, Segment.updated_at, User.name.label("owner"),
               Segment.rule, Segment.evaluated_at, Segment.evaluation_ms,
               Segment.evaluation_error, Segment.evaluation_failed_at, *counts,
               Segment.owner_id, Segment.visibility, Tag.name.label("tag"))
        .outerjoin(User, User.id == Segment.owner_id)
        .outerjoin(segment_tags, segment_tags.c.segment_id == Segment.id)
        .outerjoin(Tag, Tag.id == segment_tags.c.tag_id)
        .where(Segment.id == segment_id, seen)
        .order_by(func.lower(Tag.name))
    )


def delete_preview(conn: Connection, segment_id: int, viewer: CurrentUser | None
                   ) -> DeletePreview | None:
    segment = details(conn, segment_id, viewer=viewer)
    if segment is None:
        return None
    campaigns = tuple(
        CampaignRef(r.id, r.name, CampaignStatus(r.status))
        for r in conn.execute(
            select(Campaign.id, Campaign.name, Campaign.status)
            .join(campaign_segments, campaign_segments.c.campaign_id == Campaign.id)
            .where(campaign_segments.c.segment_id == segment_id)
            .order_by(Campaign.status, func.lower(Campaign.name))
        )
    )

    def count(model: type[Note] | type[Activity]) -> int:
        return int(conn.execute(select(func.count()).select_from(model)
                                .where(model.segment_id == segment_id)).scalar_one())

    return DeletePreview(segment, campaigns, count(Note), count(Activity),
                         tuple(uses_of(conn, segment_id)))
