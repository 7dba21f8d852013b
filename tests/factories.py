"""Test data beyond the demo: extra segments and contacts written straight through the ORM."""

from __future__ import annotations

from datetime import datetime

from segtui.core.enums import LeadStatus, MembershipSource, SegmentStatus
from segtui.data.db.models import Company, Contact, Membership, Segment
from segtui.data.store import Store


def add_segment(
    store: Store,
    name: str,
    *,
    description: str = "",
    status: SegmentStatus = SegmentStatus.ACTIVE,
    updated: datetime = datetime(2024, 1, 1, 12, 0),
    members: list[int] | None = None,
) -> int:
    with store.orm_session() as session:
        segment = Segment(
            name=name, description=description, status=status,
            created_at=updated, updated_at=updated,
        )
        session.add(segment)
        session.flush()
        for contact_id in members or []:
            session.add(Membership(segment_id=segment.id, contact_id=contact_id,
                                   source=MembershipSource.MANUAL, added_at=updated))
        return segment.id


def add_contact(store: Store, name: str, *, city: str = "Springfield", state: str = "IL",
                company: str | None = None) -> int:
    with store.orm_session() as session:
        company_row = Company(name=company) if company else None
        contact = Contact(name=name, email=None, lead_status=LeadStatus.NEW, city=city,
                          state=state, quality_score=50, created_at=datetime(2024, 1, 1),
                          company=company_row)
        session.add(contact)
        session.flush()
        return contact.id


def add_many_segments(store: Store, count: int, prefix: str = "Bulk") -> None:
    """`count` segments named '<prefix> 0001'..., with varied status and dates."""
    statuses = list(SegmentStatus)
    with store.orm_session() as session:
        session.add_all(
            Segment(
                name=f"{prefix} {i:04d}",
                description=f"generated {i}",
                status=statuses[i % 3],
                created_at=datetime(2023, 1, 1),
                updated_at=datetime(2023, 1, 1 + i % 28, 12, 0),
            )
            for i in range(1, count + 1)
        )
