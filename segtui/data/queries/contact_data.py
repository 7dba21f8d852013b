"""Everything segtui stores about one contact, for a subject access request (C19.5):
its fields, company, tags, events, stays in segments (history included) and manual
exclusions, as one JSON-ready document."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from segtui.core.formatting import iso
from segtui.data.db.tables import (
    Campaign,
    Company,
    Contact,
    EngagementEvent,
    Membership,
    Segment,
    SegmentExclusion,
    Tag,
    contact_tags,
)

# Kept by segtui for its own use, not data about the person.
INTERNAL = {"email_key", "phone_key", "version", "company_id", "non_ascii_text"}


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return iso(value)
    return getattr(value, "value", value)  # a vocabulary's enum: its stored text


def contact_data(conn: Connection, contact_id: int) -> dict[str, Any] | None:
    contact = conn.execute(select(Contact).where(Contact.id == contact_id)).mappings().first()
    if contact is None:
        return None
    fields = {k: _plain(v) for k, v in contact.items() if k not in INTERNAL}
    company = None
    if contact["company_id"] is not None:
        row = conn.execute(select(Company.name, Company.size, Company.industry)
                           .where(Company.id == contact["company_id"])).one()
        company = {"name": row.name, "size": _plain(row.size), "industry": row.industry}
    tags = list(conn.execute(
        select(Tag.name).join(contact_tags, contact_tags.c.tag_id == Tag.id)
        .where(contact_tags.c.contact_id == contact_id).order_by(Tag.name)).scalars())
    e = EngagementEvent
    events = [{"type": _plain(r.type), "occurred_at": _plain(r.occurred_at),
               "campaign": r.name, "revenue_cents": r.revenue_cents}
              for r in conn.execute(
                  select(e.type, e.occurred_at, Campaign.name, e.revenue_cents)
                  .outerjoin(Campaign, Campaign.id == e.campaign_id)
                  .where(e.contact_id == contact_id).order_by(e.occurred_at, e.id))]
    m = Membership
    stays = [{"segment": r.name, "segment_id": r.segment_id, "source": _plain(r.source),
              "added_at": _plain(r.added_at), "removed_at": _plain(r.removed_at)}
             for r in conn.execute(
                 select(m.segment_id, Segment.name, m.source, m.added_at, m.removed_at)
                 .join(Segment, Segment.id == m.segment_id)
                 .where(m.contact_id == contact_id).order_by(m.added_at, m.id))]
    x = SegmentExclusion
    excluded = [{"segment": r.name, "segment_id": r.segment_id,
                 "excluded_at": _plain(r.created_at)}
                for r in conn.execute(
                    select(x.segment_id, Segment.name, x.created_at)
                    .join(Segment, Segment.id == x.segment_id)
                    .where(x.contact_id == contact_id).order_by(x.segment_id))]
    return {"contact": fields, "company": company, "tags": tags, "events": events,
            "segment_stays": stays, "segment_exclusions": excluded}
