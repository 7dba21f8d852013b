"""A contact as JSON: the objects `segtui contacts list/show --json` print and the HTTP API
serves (docs/cli.md, docs/api.md), one shape for both (C21.1.8)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from segtui.transfer.segment_json import iso

if TYPE_CHECKING:
    from segtui.core.contacts import ContactDetails, ContactRow


def contact_summary(row: ContactRow) -> dict[str, Any]:
    """The `contacts list` object (docs/cli.md)."""
    return {
        "id": row.id,
        "name": row.name,
        "email": row.email,
        "title": row.title,
        "company": row.company,
        "phone": row.phone,
        "status": row.status.value,
        "city": row.city,
        "state": row.state,
        "tags": list(row.tags),
        "quality_score": row.quality_score,
        "last_contacted_at": iso(row.last_contacted_at),
    }


def contact_object(c: ContactDetails) -> dict[str, Any]:
    """The `contacts show` object: every field, and the segments the contact is in now."""
    return {
        "id": c.id,
        "name": c.name,
        "email": c.email,
        "title": c.title,
        "company": c.company,
        "phone": c.phone,
        "status": c.status.value,
        "city": c.city,
        "state": c.state,
        "tags": list(c.tags),
        "quality_score": c.quality_score,
        "last_contacted_at": iso(c.last_contacted_at),
        "company_size": None if c.company_size is None else c.company_size.value,
        "industry": c.industry,
        "lifecycle_stage": None if c.lifecycle_stage is None else c.lifecycle_stage.value,
        "source": None if c.source is None else c.source.value,
        "country": c.country,
        "region": c.region,
        "created_at": iso(c.created_at),
        "last_activity_at": iso(c.last_activity_at),
        "spent_cents": c.spent_cents,
        "purchases": c.purchases,
        "segments": [{"id": m.segment_id, "name": m.segment, "source": m.source.value,
                      "added_at": iso(m.added_at)} for m in c.segments],
        "external_id": c.external_id,
    }
