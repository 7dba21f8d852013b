"""Writing imported events (I6): matched to contacts by email, campaigns by name,
inside the caller's one transaction. An event segtui already has (same contact, type,
campaign and time) is skipped, so importing the same export twice adds nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import Connection, func, insert, select

from segtui.core.contact_keys import email_key
from segtui.core.enums import CampaignStatus
from segtui.core.formats.contacts_csv import RowProblem
from segtui.core.formats.events_csv import EventIn
from segtui.core.imports import ImportReport
from segtui.data.db.tables import Campaign, Contact, EngagementEvent, campaign_segments
from segtui.data.io.importer import batches

EventKey = tuple[int, str, int | None, datetime]


def import_events(
    conn: Connection,
    rows: Iterable[list[EventIn] | list[RowProblem]],
    now: datetime,
    *,
    link_segment: int | None = None,
    email_column: str = "Email",
    on_reject: Callable[[list[RowProblem]], None] | None = None,
    on_batch: Callable[[ImportReport], None] | None = None,
    list_limit: int = 20_000,
) -> ImportReport:
    """Add every valid row's events; `link_segment` links each campaign named in the file
    to that segment (so the segment's Performance tab shows it)."""
    report = ImportReport()
    campaigns = {name.casefold(): cid for cid, name in
                 conn.execute(select(Campaign.id, Campaign.name).order_by(Campaign.id.desc()))}
    linked: set[int] = set()

    def reject(problems: list[RowProblem]) -> None:
        report.reject(problems)
        if on_reject:
            on_reject(problems)

    for batch in batches(rows):
        events: list[EventIn] = []
        for row in batch:
            if not row:
                continue  # a blank line
            report.rows += 1
            if isinstance(row[0], RowProblem):
                reject(row)
            else:
                events.extend(row)
        # Contacts by their email's key (I16.1): "Ann@X.com" in the file is the
        # contact whose email is "ann@x.com", and there is at most one.
        keys = {k for k in (email_key(e.email) for e in events) if k is not None}
        by_key = {str(key): int(cid) for key, cid in conn.execute(
            select(Contact.email_key, Contact.id).where(Contact.email_key.in_(keys)))} \
            if keys else {}
        contacts = {e.email: by_key[k] for e in events
                    if (k := email_key(e.email)) is not None and k in by_key}
        rejected_lines: set[int] = set()
        for e in events:
            if e.email not in contacts and e.line not in rejected_lines:
                rejected_lines.add(e.line)
                reject([RowProblem(e.line, email_column, f"no contact has {e.email!r}; import "
                                                    "contacts first")])
        events = [e for e in events if e.line not in rejected_lines]
        for name in {e.campaign for e in events if e.campaign}:
            assert name is not None
            if name.casefold() not in campaigns:
                campaigns[name.casefold()] = conn.execute(
                    insert(Campaign).values(name=name, status=CampaignStatus.COMPLETED,
                                            created_at=now).returning(Campaign.id)
                ).scalar_one()
                report.created.append(name)
        if link_segment is not None:
            wanted = {campaigns[e.campaign.casefold()] for e in events if e.campaign}
            for campaign_id in sorted(wanted - linked):
                exists = conn.execute(select(func.count()).select_from(campaign_segments).where(
                    campaign_segments.c.campaign_id == campaign_id,
                    campaign_segments.c.segment_id == link_segment)).scalar_one()
                if not exists:
                    conn.execute(insert(campaign_segments).values(
                        campaign_id=campaign_id, segment_id=link_segment))
                linked.add(campaign_id)
        keyed = [((contacts[e.email], str(e.type),
                   campaigns[e.campaign.casefold()] if e.campaign else None,
                   e.occurred_at), e) for e in events]
        have = _existing(conn, [k for k, _ in keyed])
        new_rows = []
        touched: set[int] = set()
        for key, e in keyed:
            if key in have:
                report.skipped += 1
                continue
            have.add(key)  # the same event twice in the file: once
            touched.add(key[0])
            new_rows.append({"contact_id": key[0], "type": e.type, "campaign_id": key[2],
                             "occurred_at": e.occurred_at, "revenue_cents": e.revenue_cents})
        if new_rows:
            conn.execute(insert(EngagementEvent), new_rows)
        report.added += len(new_rows)
        report.wrote("events", len(new_rows))
        report.wrote("contacts", len(touched))  # their figures, by the events' triggers
        report.changed(sorted(touched), list_limit)
        if on_batch:
            on_batch(report)
    return report


def _existing(conn: Connection, keys: list[EventKey]) -> set[EventKey]:
    """Which of these events are already stored (one query per batch)."""
    if not keys:
        return set()
    e = EngagementEvent
    contact_ids = {k[0] for k in keys}
    first, last = min(k[3] for k in keys), max(k[3] for k in keys)
    found = conn.execute(
        select(e.contact_id, e.type, e.campaign_id, e.occurred_at)
        .where(e.contact_id.in_(contact_ids), e.occurred_at >= first, e.occurred_at <= last))
    return {(c, str(t), camp, at) for c, t, camp, at in found}
