"""Likely duplicates added to the demo data, for the Data Quality screen's tests and
snapshots: two same-email groups (one with hostile names) and a same-name-and-company
group, in segments of their own. The demo itself has no duplicates. Since the database
keeps one contact per email (I16.1), a second contact with an email is written as
another program would write it, without the email's key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from segtui.core.enums import EventType, LeadStatus
from segtui.data.db.models import Company, Contact, EngagementEvent
from segtui.data.store import Store
from tests.factories import add_segment

EVIL = "[bold]Evil[/bold] \x1b[31mCorp"  # markup and an ANSI escape: shown literally
EVIL_SHOWN = "[bold]Evil[/bold] ␛[31mCorp"


@dataclass(frozen=True)
class Duplicates:
    dana_old: int  # oldest of the "dana@example.com" group: kept by default
    dana_new: int
    evil: int
    evil_twin: int
    lee_one: int
    lee_two: int
    twins_segment: int  # Dana (old) and Lee
    other_segment: int  # Dana (new) and the hostile pair
    hostile_segment: int  # named with markup; both hostile contacts


def contact(store: Store, name: str, email: str | None, created: datetime, *,
            company: str | None = None, phone: str | None = "555-0100",
            keyless: bool = False) -> int:
    """`keyless`: written as another program would, without the email's key, so the unique
    index (I16.1) can't see it: the only way left to share an email."""
    with store.orm_session() as session:
        row = Contact(name=name, email=email, phone=phone, lead_status=LeadStatus.NEW,
                      quality_score=60, created_at=created,
                      company=Company(name=company) if company else None,
                      last_contacted_at=datetime(2024, 2, 1))
        if keyless:
            row.email_key = None
        session.add(row)
        session.flush()
        return row.id


def event(store: Store, contact_id: int) -> None:
    with store.orm_session() as session:
        session.add(EngagementEvent(contact_id=contact_id, type=EventType.OPENED,
                                    occurred_at=datetime(2024, 2, 10)))


def add_duplicates(store: Store) -> Duplicates:
    dana_old = contact(store, "Dana Twin", "dana@example.com", datetime(2021, 3, 1),
                       phone=None)
    dana_new = contact(store, "Dana Twin", "DANA@example.com", datetime(2023, 6, 1),
                       keyless=True)
    evil = contact(store, EVIL, "evil@example.com", datetime(2022, 1, 1))
    evil_twin = contact(store, "evil twin", "Evil@Example.com", datetime(2022, 2, 1),
                        keyless=True)
    with store.orm_session() as session:
        globex = Company(name="Globex")
        session.add(globex)
        session.flush()
        lees = [Contact(name=name, email=email, phone="555-0101", lead_status=LeadStatus.NEW,
                        quality_score=60, created_at=created, company_id=globex.id,
                        last_contacted_at=datetime(2024, 2, 1))
                for name, email, created in (
                    ("Lee Park", "lee@globex.example", datetime(2020, 5, 1)),
                    ("lee park", "lpark@globex.example", datetime(2022, 9, 1)))]
        session.add_all(lees)
        session.flush()
        lee_one, lee_two = lees[0].id, lees[1].id
    event(store, dana_new)
    event(store, dana_new)
    twins = add_segment(store, "Twins Segment", members=[dana_old, lee_one])
    other = add_segment(store, "Other Segment", members=[dana_new, evil])
    hostile = add_segment(store, "[red]Hostile[/red] \x1b[1mSegment",
                          members=[evil, evil_twin])
    return Duplicates(dana_old, dana_new, evil, evil_twin, lee_one, lee_two, twins, other,
                      hostile)
