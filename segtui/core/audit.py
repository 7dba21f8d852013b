"""The audit log's vocabulary and records (C19.4): what is recorded, and how a reader asks.

The actions are the usage events the specification lists (section 12: dashboard accessed,
metrics viewed, segment edited, permissions modified, user activity reviewed, access logs
checked, validation rules applied, data cleanup initiated), plus what an administrator
answers for: views, exports, imports, merges, erasures and permission changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Action(StrEnum):
    DASHBOARD_ACCESSED = "dashboard_accessed"
    METRICS_VIEWED = "metrics_viewed"  # a segment's detail screen (its cards) shown
    SEGMENT_CREATED = "segment_created"
    SEGMENT_EDITED = "segment_edited"  # its details, rule, members or campaigns
    SEGMENT_DELETED = "segment_deleted"
    PERMISSIONS_MODIFIED = "permissions_modified"  # a user added or given a role
    USER_ACTIVITY_REVIEWED = "user_activity_reviewed"  # the log read for one user
    ACCESS_LOGS_CHECKED = "access_logs_checked"  # the log read
    VALIDATION_RULES_APPLIED = "validation_rules_applied"  # the data quality report run
    DATA_CLEANUP_INITIATED = "data_cleanup_initiated"  # duplicate contacts merged
    MEMBERS_EXPORTED = "members_exported"
    SEGMENTS_EXPORTED = "segments_exported"
    CONTACTS_IMPORTED = "contacts_imported"
    EVENTS_IMPORTED = "events_imported"
    CONTACT_ERASED = "contact_erased"
    CONTACT_DATA_EXPORTED = "contact_data_exported"  # a subject access request answered
    SEGMENT_ARCHIVED = "segment_archived"  # set aside as unused (C19.4.6)
    SEGMENT_RESTORED = "segment_restored"  # back from the archive
    AUDIT_EXPORTED = "audit_exported"  # the log written to a file (C19.4.7)
    API_TOKEN_CREATED = "api_token_created"  # C21.2.1
    API_TOKEN_REVOKED = "api_token_revoked"
    API_REQUEST = "api_request"  # C21.2.3: one request to the HTTP API, as its token's user
    WEBHOOK_ADDED = "webhook_added"  # C21.3.1
    WEBHOOK_REMOVED = "webhook_removed"
    WEBHOOK_CHANGED = "webhook_changed"  # paused, resumed, its dead deliveries retried


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str | None  # None: segtui itself
    action: Action
    segment_id: int | None
    segment: str | None  # the segment's name, None when it is gone or there is none
    subject: str
    details: str


@dataclass(frozen=True)
class AuditFilter:
    """Which entries a reader wants; every part optional."""

    since: date | None = None  # from this day on
    until: date | None = None  # up to and including this day
    actor: str | None = None  # a user's name (case is ignored)
    action: Action | None = None
    segment_id: int | None = None

    @property
    def reviews_one_user(self) -> bool:
        return self.actor is not None


def filter_day(label: str, text: str) -> date | None:
    """A day typed in a filter (YYYY-MM-DD), None when empty; ValueError names the field
    and the rule (the app's log filters, C19.4.4)."""
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{label}: “{text}” is not a day; write it as YYYY-MM-DD, "
                         "e.g. 2024-02-26") from None
