"""SQL for comparing 2 to 6 segments (C20.5). Formulas: docs/metrics.md, "Compare".

The members of all the compared segments are read in one pass and grouped by the bitmask
of the compared segments each belongs to (bit i: the i-th segment): per contact the sum of
its segments' bits (a contact has one current stay per segment, so the sum is the OR),
then per mask the count and the sums of the cards' figures. At most 63 groups come back;
every segment's figures, every overlap and every region are sums of them
(core/compare.py). Pairwise overlaps by self-joins would read each pair's members again:
15 joins for 6 segments.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, Connection, Subquery, case, func, or_, select

from segtui.core.compare import (
    RETENTION_DAYS,
    CampaignFigures,
    MemberSums,
    Retention,
    mean_rate,
)
from segtui.core.enums import CampaignStatus, EventType
from segtui.core.metrics import QualityScore, Window
from segtui.core.permissions import CurrentUser
from segtui.data.db.sql import current_membership, in_half
from segtui.data.db.tables import ContactFigures, EngagementEvent, Membership, Segment
from segtui.data.derived.completeness import COMPLETENESS_CHECKS
from segtui.data.queries.segment_metrics import campaign_performance, engaged_in
from segtui.data.queries.visibility import visible_to


def _sum_of(value: ColumnElement[int]) -> ColumnElement[int]:
    return func.coalesce(func.sum(value), 0)


def _masks(segment_ids: Sequence[int], half: int | None = None) -> Subquery:
    """(contact_id, mask) of every current member of any of `segment_ids` (in `half` of
    the contact ids, sql.in_half, where given: a contact's mask is whole in its half)."""
    m = Membership
    bit = case(*((m.segment_id == sid, 1 << i) for i, sid in enumerate(segment_ids)),
               else_=0)
    halved = [] if half is None else [in_half(m.contact_id, half)]
    return (select(m.contact_id.label("contact_id"), func.sum(bit).label("mask"))
            .where(m.segment_id.in_(list(segment_ids)), current_membership(), *halved)
            .group_by(m.contact_id)
            .subquery("masks"))


def region_counts(conn: Connection, segment_ids: Sequence[int]) -> dict[int, int]:
    """Members per mask (C20.5.5): one pass over the segments' current memberships, read
    from the membership index alone."""
    masks = _masks(segment_ids)
    return {int(mask): int(n) for mask, n in conn.execute(
        select(masks.c.mask, func.count()).group_by(masks.c.mask))}


def group_sums(conn: Connection, segment_ids: Sequence[int], window: Window, *,
               half: int | None = None) -> dict[int, MemberSums]:
    """Per mask, the members' sums (C20.5.3): count, engaged in `window` (the Engagement
    Rate card's test), converted ever, quality and completeness (the Quality Score card's
    ingredients) and revenue ever (the Performance tab's Total Revenue), from the
    members' narrow copies in contact_figures (data/derived/figures.py). `half`: those
    of one half of the contact ids (the Store reads the two at once, as the cards do).

    PostgreSQL hashes the masks (211,168 contacts for the 6 largest segments at 1M) to
    join them: given room (32 MB of work_mem for this statement), not spilled to disk in
    batches."""
    masks = _masks(segment_ids, half)
    c = ContactFigures
    with more_memory(conn):
        rows = conn.execute(
        select(masks.c.mask, func.count(), engaged_in(window),
               _sum_of(case((c.purchases > 0, 1), else_=0)), _sum_of(c.quality_score),
               _sum_of(c.filled_fields), _sum_of(c.spent_cents))
        .select_from(masks).join(c, c.contact_id == masks.c.contact_id)
        .group_by(masks.c.mask)).all()
    return {int(mask): MemberSums(*(int(v) for v in rest)) for mask, *rest in rows}


@contextmanager
def more_memory(conn: Connection) -> Iterator[None]:
    """PostgreSQL: 32 MB of work_mem for the statements inside (`SET LOCAL`, back to the
    default after), as sql.planned_for_members gives its hashes."""
    if conn.dialect.name != "postgresql":
        yield
        return
    conn.exec_driver_sql("SET LOCAL work_mem = '32MB'")
    yield
    conn.exec_driver_sql("SET LOCAL work_mem TO DEFAULT")


def retention(conn: Connection, segment_ids: Sequence[int], now: datetime
              ) -> dict[int, Retention]:
    """C20.5.4: per segment, the stays (current or past) that began at least
    RETENTION_DAYS before `now`, and those of them still current or that lasted
    RETENTION_DAYS. One pass over the segments' stays."""
    m = Membership
    span = timedelta(days=RETENTION_DAYS)
    if conn.dialect.name == "sqlite":  # datetimes are text there: compare as days
        lasted = func.julianday(m.removed_at) - func.julianday(m.added_at) >= span.days
    else:
        lasted = m.removed_at >= m.added_at + span
    kept = or_(m.removed_at.is_(None), lasted)
    rows = conn.execute(
        select(m.segment_id, func.count(), _sum_of(case((kept, 1), else_=0)))
        .where(m.segment_id.in_(list(segment_ids)), m.added_at <= now - span)
        .group_by(m.segment_id))
    found = {int(sid): Retention(int(began), int(k)) for sid, began, k in rows}
    return {sid: found.get(sid, Retention()) for sid in segment_ids}


def unsubscribed(conn: Connection, segment_ids: Sequence[int]) -> dict[int, int]:
    """Per segment, members with an `unsubscribed` event, ever (the Unsubscribed card):
    unsubscribes are rare, so their contacts are walked and their stays looked up."""
    e, m = EngagementEvent, Membership
    gone = (select(e.contact_id).where(e.type == EventType.UNSUBSCRIBED).distinct()
            .subquery("unsubscribed"))
    rows = conn.execute(
        select(m.segment_id, func.count())
        .select_from(gone).join(m, m.contact_id == gone.c.contact_id)
        .where(m.segment_id.in_(list(segment_ids)), current_membership())
        .group_by(m.segment_id))
    found = {int(sid): int(n) for sid, n in rows}
    return {sid: found.get(sid, 0) for sid in segment_ids}


def campaign_figures(conn: Connection, segment_id: int) -> CampaignFigures:
    """The segment's Active campaigns and the Performance tab's Avg. Open and Click
    Rates, from the campaign table's own figures (segment_metrics.campaign_performance)."""
    campaigns = campaign_performance(conn, segment_id)
    sent = [c for c in campaigns if c.sent]
    return CampaignFigures(
        active=sum(1 for c in campaigns if c.status == CampaignStatus.ACTIVE.value),
        open_rate=mean_rate([c.rate(c.opened) for c in sent]),
        click_rate=mean_rate([c.rate(c.clicked) for c in sent]))


def names(conn: Connection, segment_ids: Sequence[int], viewer: CurrentUser | None
          ) -> dict[int, str]:
    """The names of those of `segment_ids` that exist and `viewer` sees (C19.3.2)."""
    return {int(sid): str(name) for sid, name in conn.execute(
        select(Segment.id, Segment.name)
        .where(Segment.id.in_(list(segment_ids)), visible_to(viewer)))}


def quality_score(sums: MemberSums) -> Decimal | None:
    """The Quality Score card's (segment_metrics.cards_from) from a segment's sums."""
    if not sums.members:
        return None
    return QualityScore(
        members=sums.members, avg_quality=Decimal(sums.quality_sum) / sums.members,
        completeness=Decimal(sums.filled_sum) / (sums.members * COMPLETENESS_CHECKS)).score
