"""A segment as JSON: the objects `segtui segments list/show --json` print and the HTTP
API serves (docs/cli.md, docs/api.md), one shape for both (C21.1.3)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from segtui.core.formatting import iso as iso  # the JSON's times (contact_json, the CLI)

if TYPE_CHECKING:
    from segtui.core.records import SegmentRow
    from segtui.core.rules.tree import Node
    from segtui.data.store import Store


def rule_text(rule: Node | None) -> str | None:
    if rule is None:  # a static segment: the rule language isn't needed (P12)
        return None
    from segtui.core.rules.language import format_rule

    return format_rule(rule)


def segment_summary(row: SegmentRow, rule: Node | None) -> dict[str, Any]:
    """The `segments list` object (docs/cli.md)."""
    return {
        "id": row.id,
        "name": row.name,
        "description": row.description,
        "status": row.status.value,
        "kind": "static" if rule is None else "dynamic",
        "rule": rule_text(rule),
        "members": row.contact_count,
        "campaigns": row.campaign_count,
        "updated_at": iso(row.last_modified),
        # C20.7.7: the last evaluation, and the failure since, of a dynamic segment.
        "evaluated_at": iso(row.evaluated_at),
        "evaluation_ms": row.evaluation_ms,
        "evaluation_error": row.evaluation_error,
        "evaluation_failed_at": iso(row.evaluation_failed_at),
    }


def segment_json(store: Store, segment_id: int) -> dict[str, Any] | None:
    """The `segments show` object: the summary plus owner, tags, active campaigns, dates
    and the version an edit is made on; None when the segment is gone (or hidden from
    the Store's user)."""
    from segtui.core.records import SegmentRow

    details = store.segments.segment_details(segment_id)  # one statement (C21.1.13)
    if details is None:
        return None
    row = SegmentRow(details.id, details.name, details.description, details.status,
                     details.members, details.campaigns, details.updated_at,
                     details.evaluated_at, details.evaluation_ms, details.evaluation_error,
                     details.evaluation_failed_at)
    obj = segment_summary(row, details.rule)
    obj.update(
        active_campaigns=details.active_campaigns,
        owner=details.owner,
        tags=list(details.tags),
        created_at=iso(details.created_at),
        visibility=details.visibility.value,  # C19.3.2
        hidden_from=list(details.hidden_from),
        version=details.version,  # C21.1.4: what an update names to detect a conflict
    )
    return obj
