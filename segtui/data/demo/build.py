"""Builds the demo database from the section 8 plan (segtui/data/demo/plan.py).

Deterministic: the same seed and the same "today" give the same database, row for row.
Engagement, conversion and campaign figures are not written anywhere; they come out of the
events generated here, placed in the right time windows:

- "last 30 days" is [today-29 00:00, tomorrow 00:00); "the 30 days before" is the 30 days
  before that (see docs/metrics.md). Campaign sends sit well inside one window each.
- A member engaged in a window opened a campaign email sent in it, or (when the plan needs
  more engaged members than a campaign's openers) attended a meeting or responded.
- Converters convert within campaigns (clicked -> converted) or, if no campaign conversion
  is planned for them, directly.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import Connection

from segtui.core.enums import (
    EventType,
    LeadStatus,
    LifecycleStage,
    MembershipSource,
)
from segtui.core.formatting import plural
from segtui.data.db.bulk import insert_rows, reset_sequences
from segtui.data.db.tables import (
    Activity,
    Campaign,
    Company,
    Contact,
    EngagementEvent,
    Membership,
    Note,
    Segment,
    Setting,
    Tag,
    User,
    campaign_segments,
    contact_tags,
    name_key,
    segment_tags,
)
from segtui.data.demo import plan
from segtui.data.demo.people import SEED, DemoPeople, DemoRows
from segtui.data.store import Store
from segtui.data.store.database import FIXED_TODAY_SETTING
from segtui.data.writes.users import DEFAULT_USER_SETTING

WINDOW_DAYS = 30


class DemoBuilder(DemoPeople):
    """The demo's rows: DemoPeople's users, companies and contacts, then each planned
    segment with its members, events and campaigns, and the contacts' history."""

    # -- events ------------------------------------------------------------------------------

    def event(
        self,
        contact_id: int,
        kind: EventType,
        at: datetime,
        campaign_id: int | None = None,
        revenue_cents: int | None = None,
    ) -> None:
        self.rows.events.append(
            {
                "id": self.ids.next("events"),
                "contact_id": contact_id,
                "campaign_id": campaign_id,
                "type": kind,
                "occurred_at": at,
                "revenue_cents": revenue_cents,
            }
        )
        if at > self.last_event.get(contact_id, datetime.min):
            self.last_event[contact_id] = at

    @staticmethod
    def window_of(days_ago: int) -> str:
        """Which engagement window a campaign's sends and opens (days_ago-4 .. days_ago) are in."""
        if 5 <= days_ago <= WINDOW_DAYS - 2:
            return "current"
        if WINDOW_DAYS + 5 <= days_ago <= 2 * WINDOW_DAYS - 2:
            return "previous"
        if days_ago >= 2 * WINDOW_DAYS + 5:
            return "older"
        raise ValueError(f"campaign sent {plural(days_ago, 'day')} ago straddles an "
                         "engagement window")

    # -- segments ----------------------------------------------------------------------------

    def build_segment(self, seg: plan.SegmentPlan) -> None:
        sid = self.ids.next("segments")
        owner = self.user_ids[seg.owner]
        created = self.spec_day(seg.created, 9)
        self.rows.segments.append(
            {
                "id": sid,
                "name": seg.name,
                "name_key": name_key(seg.name),
                "description": seg.description,
                "status": seg.status,
                "owner_id": owner,
                "created_at": created,
                "updated_at": self.spec_day(seg.last_modified, 16),
                "version": 1,
            }
        )
        for tag in seg.tags:
            self.rows.segment_tags.append({"segment_id": sid, "tag_id": self.tag(tag)})

        campaigns = [c for c in plan.CAMPAIGNS if c.segment == seg.name]
        first_send = min((c.sent_days_ago for c in campaigns), default=None)
        joined_until = self.spec_day(seg.last_modified, 16)
        if first_send is not None:
            joined_until = min(joined_until, self.days_ago(first_send + 1, 9, 0))
        members = self.add_members(seg, sid, owner, created, joined_until)

        # Who does what (see the module docstring). Converters come first in every list so
        # that campaign converters (a prefix of clickers, a prefix of openers) are converters.
        order = members[:]
        self.rng.shuffle(order)
        converters = order[: seg.converted]
        rest = order[seg.converted :]
        engaged_now = converters + rest[: seg.engaged - seg.converted]
        quarter = len(rest) // 4
        rotated = rest[quarter:] + rest[:quarter]
        engaged_before = converters + rotated[: seg.engaged_before - seg.converted]
        engaged_any = set(engaged_now) | set(engaged_before)
        quiet = [c for c in reversed(order) if c not in engaged_any]
        unsubscribers = quiet[: seg.unsubscribed]
        if len(unsubscribers) < seg.unsubscribed:
            raise ValueError(f"{seg.name}: not enough unengaged members to unsubscribe")

        openers_by_window: dict[str, set[int]] = defaultdict(set)
        campaign_converts: set[int] = set()
        for camp in campaigns:
            window = self.window_of(camp.sent_days_ago)
            pool = {"current": engaged_now, "previous": engaged_before}.get(window, order)
            openers = pool[: camp.opened]
            openers_by_window[window].update(openers)
            campaign_converts.update(self.run_campaign(camp, sid, members, openers))

        extra = seg.extra_engagement
        for cid in engaged_now:
            if cid not in openers_by_window["current"]:
                self.event(cid, extra, self.days_ago(self.rng.randint(1, WINDOW_DAYS - 2)))
        for cid in engaged_before:
            if cid not in openers_by_window["previous"]:
                days = self.rng.randint(WINDOW_DAYS + 1, 2 * WINDOW_DAYS - 2)
                self.event(cid, extra, self.days_ago(days))
        for cid in converters:
            if cid not in campaign_converts:
                revenue = self.rng.randint(12, 48) * 10_000
                self.event(cid, EventType.CONVERTED, self.days_ago(self.rng.randint(35, 90)),
                           revenue_cents=revenue)
        latest_unsub = (first_send or 150) - 1
        for cid in unsubscribers:
            days = self.rng.randint(2, min(latest_unsub, 10)) if campaigns else \
                self.rng.randint(65, 150)
            self.event(cid, EventType.UNSUBSCRIBED, self.days_ago(days))
        self.background_opens(seg, members)
        self.finish_contacts(seg, members, set(converters), set(engaged_now), set(unsubscribers))
        self.rows.activities.append(
            {
                "id": self.ids.next("activities"),
                "segment_id": sid,
                "type": "Segment Created",
                "description": f"Segment created with {plural(seg.size, 'contact')}",
                "details": seg.description,
                "performer_id": owner,
                "created_at": created,
                "edited_at": None,
                "version": 1,
            }
        )
        if seg.name == "Enterprise Prospects":
            self.sample_timeline(sid)

    def add_members(
        self, seg: plan.SegmentPlan, sid: int, owner: int, start: datetime, end: datetime
    ) -> list[int]:
        """Create the segment's contacts and their memberships, joining between start and end.

        Joins follow a growth curve (slow start, faster later), so "Contact Growth Over Time"
        has a shape.
        """
        span = max((end - start).total_seconds(), 0)
        named = [c for c in plan.NAMED_CONTACTS if c.segment == seg.name]
        members: list[int] = []
        for i in range(seg.size):
            progress = (i / max(seg.size - 1, 1)) ** 0.6
            joined = start + timedelta(seconds=span * progress)
            joined = joined.replace(minute=self.rng.randint(0, 59), second=0)
            created = joined - timedelta(days=self.rng.randint(5, 200))
            cid = (
                self.named_contact(named[i], created)
                if i < len(named)
                else self.generated_contact(seg, created)
            )
            members.append(cid)
            self.rows.memberships.append(
                {
                    "id": self.ids.next("memberships"),
                    "segment_id": sid,
                    "contact_id": cid,
                    "source": MembershipSource.MANUAL,
                    "added_at": joined,
                    "added_by_id": owner,
                    "removed_at": None,
                    "removed_by_id": None,
                }
            )
        return members

    def run_campaign(
        self, camp: plan.CampaignPlan, sid: int, members: list[int], openers: list[int]
    ) -> list[int]:
        """Sends to every member; opens, clicks and conversions for prefixes of `openers`."""
        cid = self.ids.next("campaigns")
        sent_at = self.days_ago(camp.sent_days_ago, 9, 0)
        self.rows.campaigns.append(
            {
                "id": cid,
                "name": camp.name,
                "status": camp.status,
                "created_at": sent_at - timedelta(days=7),
                "version": 1,
            }
        )
        self.rows.campaign_segments.append({"campaign_id": cid, "segment_id": sid})
        for contact in members:
            self.event(contact, EventType.SENT, sent_at, cid)
        clickers = openers[: camp.clicked]
        converts = clickers[: camp.converted]
        share = camp.revenue_cents // max(camp.converted, 1)
        for n, contact in enumerate(openers):
            opened = sent_at + timedelta(days=self.rng.randint(0, 4), hours=self.rng.randint(0, 8))
            self.event(contact, EventType.OPENED, opened, cid)
            if contact in clickers:
                clicked = opened + timedelta(minutes=self.rng.randint(1, 90))
                self.event(contact, EventType.CLICKED, clicked, cid)
                if contact in converts:
                    # The last conversion takes the rounding remainder: totals stay exact.
                    revenue = share if n < len(converts) - 1 else camp.revenue_cents - share * n
                    self.event(contact, EventType.CONVERTED, clicked + timedelta(days=1), cid,
                               revenue_cents=revenue)
        return converts

    def background_opens(self, seg: plan.SegmentPlan, members: list[int]) -> None:
        """Older engagement (61-180 days ago) so monthly trends have history."""
        earliest = 91 if seg.extra_engagement is EventType.RESPONDED else 2 * WINDOW_DAYS + 1
        for cid in members:
            for _ in range(self.rng.randint(0, 3)):
                at = self.days_ago(self.rng.randint(earliest, 180))
                self.event(cid, EventType.OPENED, at)
                if self.rng.random() < 0.3:
                    self.event(cid, EventType.CLICKED, at + timedelta(minutes=5))

    def finish_contacts(
        self,
        seg: plan.SegmentPlan,
        members: list[int],
        converters: set[int],
        engaged: set[int],
        unsubscribed: set[int],
    ) -> None:
        named = {c.name for c in plan.NAMED_CONTACTS}
        for cid in members:
            row = self.contact_by_id[cid]
            row["last_contacted_at"] = self.last_event.get(cid)
            if cid in converters:
                row["lifecycle_stage"] = LifecycleStage.CUSTOMER
                if row["name"] not in named:
                    row["lead_status"] = LeadStatus.CUSTOMER
            elif cid in unsubscribed:
                row["lifecycle_stage"] = LifecycleStage.INACTIVE
            elif cid in engaged:
                row["lifecycle_stage"] = LifecycleStage.ENGAGED
            else:
                row["lifecycle_stage"] = (
                    LifecycleStage.INACTIVE
                    if seg.extra_engagement is EventType.RESPONDED
                    else LifecycleStage.NEW
                )

    def sample_timeline(self, sid: int) -> None:
        for kind, description, details, days, who in plan.SAMPLE_ACTIVITIES:
            self.rows.activities.append(
                {
                    "id": self.ids.next("activities"),
                    "segment_id": sid,
                    "type": kind,
                    "description": description,
                    "details": details,
                    "performer_id": self.user_ids[who] if who else None,
                    "created_at": self.days_ago(days),
                    "edited_at": None,
                    "version": 1,
                }
            )
        for who, days, body in plan.SAMPLE_NOTES:
            self.rows.notes.append(
                {
                    "id": self.ids.next("notes"),
                    "segment_id": sid,
                    "body": body,
                    "author_id": self.user_ids[who],
                    "created_at": self.days_ago(days),
                }
            )

    def history(self) -> None:
        """A few past stays: contacts that moved from Product Trial Users to Marketing
        Engagers, so membership history isn't empty in the demo."""
        trial_id = 1 + [s.name for s in plan.SEGMENTS].index("Product Trial Users")
        engagers = [
            r["contact_id"] for r in self.rows.memberships
            if r["segment_id"] == 1 + [s.name for s in plan.SEGMENTS].index("Marketing Engagers")
        ]
        for cid in engagers[-3:]:
            added = self.spec_day(date(2023, 10, 20))
            self.rows.memberships.append(
                {
                    "id": self.ids.next("memberships"),
                    "segment_id": trial_id,
                    "contact_id": cid,
                    "source": MembershipSource.MANUAL,
                    "added_at": added,
                    "added_by_id": self.user_ids["Sarah Mitchell"],
                    "removed_at": added + timedelta(days=41),
                    "removed_by_id": self.user_ids["Sarah Mitchell"],
                }
            )

    def build(self) -> DemoRows:
        self.make_users()
        self.make_companies()
        for seg in plan.SEGMENTS:
            self.build_segment(seg)
        self.history()
        return self.rows


def write_demo(conn: Connection, today: date, seed: int = SEED) -> None:
    """Fill an empty, migrated database with the demo data, in the caller's transaction."""
    rows = DemoBuilder(today, seed).build()
    for table, data in (
        (User.__table__, rows.users),
        (Tag.__table__, rows.tags),
        (Company.__table__, rows.companies),
        (Contact.__table__, rows.contacts),
        (contact_tags, rows.contact_tags),
        (Segment.__table__, rows.segments),
        (segment_tags, rows.segment_tags),
        (Membership.__table__, rows.memberships),
        (Campaign.__table__, rows.campaigns),
        (campaign_segments, rows.campaign_segments),
        (EngagementEvent.__table__, rows.events),
        (Activity.__table__, rows.activities),
        (Note.__table__, rows.notes),
    ):
        insert_rows(conn, table, data)
    insert_rows(
        conn,
        Setting.__table__,
        [
            {"key": FIXED_TODAY_SETTING, "value": today.isoformat()},
            # The demo is used as the owner of most sample segments (docs/demo-data.md).
            {"key": DEFAULT_USER_SETTING, "value": "Sarah Mitchell"},
        ],
    )
    reset_sequences(conn)


def build_demo(store: Store, today: date, seed: int = SEED) -> None:
    """Fill the (empty) store with the demo data in one transaction."""
    with store.writing() as conn:
        write_demo(conn, today, seed)
