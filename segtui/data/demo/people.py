"""The demo builder's people (data/demo/build.py): the id counters and row lists it fills,
its clock, and the users, companies, tags and contacts of the section 8 plan
(segtui/data/demo/plan.py). DemoBuilder adds the segments, events and campaigns.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from segtui.core.contact_keys import email_key
from segtui.core.enums import (
    CompanySize,
    SourceChannel,
)
from segtui.data.db.tables import (
    name_key,
)
from segtui.data.demo import plan, vocab

SEED = 2024
T = TypeVar("T")


@dataclass
class _Ids:
    """Explicit id allocation, so rows can reference each other before they are written."""

    counters: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def next(self, table: str) -> int:
        self.counters[table] += 1
        return self.counters[table]


@dataclass
class DemoRows:
    users: list[dict[str, Any]] = field(default_factory=list)
    tags: list[dict[str, Any]] = field(default_factory=list)
    companies: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    contact_tags: list[dict[str, Any]] = field(default_factory=list)
    segments: list[dict[str, Any]] = field(default_factory=list)
    segment_tags: list[dict[str, Any]] = field(default_factory=list)
    memberships: list[dict[str, Any]] = field(default_factory=list)
    campaigns: list[dict[str, Any]] = field(default_factory=list)
    campaign_segments: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    activities: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)


class DemoPeople:
    """The builder's state, clock and reference data; DemoBuilder builds on it."""

    def __init__(self, today: date, seed: int = SEED) -> None:
        self.today = today
        self.shift = today - plan.DEMO_TODAY
        self.rng = random.Random(seed)
        self.ids = _Ids()
        self.rows = DemoRows()
        self.user_ids: dict[str, int] = {}
        self.tag_ids: dict[str, int] = {}
        self.companies: dict[CompanySize, list[tuple[int, str]]] = defaultdict(list)
        self.company_by_name: dict[str, int] = {}
        self.emails: set[str] = set()
        self.contact_by_id: dict[int, dict[str, Any]] = {}
        self.last_event: dict[int, datetime] = {}

    # -- time ------------------------------------------------------------------------------

    def spec_day(self, day: date, hour: int = 10) -> datetime:
        """A date from the plan (as on DEMO_TODAY), moved to the clock's today."""
        return datetime.combine(day + self.shift, time(hour, 0))

    def days_ago(self, days: int, hour: int | None = None, minute: int | None = None) -> datetime:
        h = self.rng.randint(8, 17) if hour is None else hour
        m = self.rng.randint(0, 59) if minute is None else minute
        return datetime.combine(self.today - timedelta(days=days), time(h, m))

    # -- reference data --------------------------------------------------------------------

    def tag(self, name: str) -> int:
        key = name_key(name)
        if key not in self.tag_ids:
            self.tag_ids[key] = self.ids.next("tags")
            self.rows.tags.append({"id": self.tag_ids[key], "name": name, "name_key": key})
        return self.tag_ids[key]

    def company(self, name: str, size: CompanySize, industry: str) -> int:
        if name in self.company_by_name:
            return self.company_by_name[name]
        cid = self.ids.next("companies")
        self.rows.companies.append({"id": cid, "name": name, "size": size, "industry": industry})
        self.companies[size].append((cid, name))
        self.company_by_name[name] = cid
        return cid

    def make_users(self) -> None:
        for user in plan.USERS:
            uid = self.ids.next("users")
            self.user_ids[user.name] = uid
            self.rows.users.append(
                {"id": uid, "name": user.name, "name_key": name_key(user.name), "role": user.role}
            )

    def make_companies(self) -> None:
        words = list(vocab.COMPANY_WORDS)
        self.rng.shuffle(words)
        counts = {CompanySize.ENTERPRISE: 18, CompanySize.MID_MARKET: 24, CompanySize.SMB: 30}
        used: set[str] = set()
        for size, count in counts.items():
            while len(self.companies[size]) < count:
                word = self.rng.choice(words)
                kind, industry = self.rng.choice(vocab.COMPANY_KINDS)
                suffix = self.rng.choice(vocab.COMPANY_SUFFIXES[size])
                name = " ".join(p for p in (word, kind, suffix) if p)
                if name not in used:
                    used.add(name)
                    self.company(name, size, industry)

    # -- contacts ----------------------------------------------------------------------------

    def unique_email(self, local: str, domain: str) -> str:
        email = f"{local}@{domain}"
        n = 2
        while email in self.emails:
            email = f"{local}{n}@{domain}"
            n += 1
        self.emails.add(email)
        return email

    def phone(self, country: str) -> str | None:
        if self.rng.random() < 0.15:
            return None  # data gaps are realistic, and the quality report needs some
        line = f"01{self.rng.randint(0, 99):02d}"
        if country in ("United States", "Canada"):
            return f"+1 ({self.rng.randint(201, 989)}) 555-{line}"
        if country == "United Kingdom":
            return f"+44 20 7946 0{self.rng.randint(100, 999)}"
        return f"+{self.rng.randint(30, 99)} 555 {line}"

    def add_contact(self, **values: Any) -> int:
        cid = self.ids.next("contacts")
        row = {
            "id": cid,
            "lifecycle_stage": None,
            "source": self.rng.choice(list(SourceChannel)),
            "country": "United States",
            "region": "North America",
            "last_contacted_at": None,
            "version": 1,
            **values,
        }
        tags = row.pop("tags", ())
        row["email_key"] = email_key(row.get("email"))  # one contact per email (I16.1)
        self.rows.contacts.append(row)
        self.contact_by_id[cid] = row
        for tag in tags:
            self.rows.contact_tags.append({"contact_id": cid, "tag_id": self.tag(tag)})
        return cid

    def named_contact(self, c: plan.NamedContact, created: datetime) -> int:
        company_id = self.company(c.company, c.company_size, "Software")
        self.emails.add(c.email)
        return self.add_contact(
            name=c.name,
            email=c.email,
            phone=self.phone("United States"),
            title=c.title,
            company_id=company_id,
            lead_status=c.status,
            city=c.city,
            state=c.state,
            quality_score=self.rng.randint(80, 96),
            created_at=created,
            tags=c.tags,
        )

    def generated_contact(self, seg: plan.SegmentPlan, created: datetime) -> int:
        size = self.weighted(seg.size_mix)
        company_id, company_name = self.rng.choice(self.companies[size])
        first = self.rng.choice(vocab.FIRST_NAMES)
        last = self.rng.choice(vocab.LAST_NAMES)
        city, state, country, region = self.rng.choice(vocab.PLACES)
        domain = "".join(ch for ch in company_name.split()[0].lower() if ch.isalnum()) + ".com"
        tags = self.rng.sample(vocab.CONTACT_TAGS, self.rng.randint(0, 2))
        if size is not CompanySize.MID_MARKET and self.rng.random() < 0.5:
            tags.append(size.value)
        return self.add_contact(
            name=f"{first} {last}",
            email=self.unique_email(f"{first}.{last}".lower(), domain),
            phone=self.phone(country),
            title=self.rng.choice(vocab.TITLES[size]),
            company_id=company_id,
            lead_status=self.weighted(seg.status_mix),
            city=city,
            state=state,
            country=country,
            region=region,
            quality_score=self.rng.randint(*seg.quality),
            created_at=created,
            tags=tags,
        )

    def weighted(self, mix: Sequence[tuple[T, int]]) -> T:
        values = [value for value, _ in mix]
        weights = [weight for _, weight in mix]
        return self.rng.choices(values, weights=weights)[0]
