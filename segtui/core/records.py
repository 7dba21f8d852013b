"""Plain, frozen records that cross from the Store API to the UI and the CLI.

Screens never see ORM objects or SQL; they see these. Everything here is immutable so a
record handed to a widget can't be changed under the widget's feet by a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Generic, TypeVar

from segtui.core.enums import SegmentStatus

if TYPE_CHECKING:
    from segtui.core.rules.tree import Node

T = TypeVar("T")


@dataclass(frozen=True)
class DashboardMetrics:
    """The dashboard's metric cards (R7.1). All whole numbers, all computed by SQL."""

    total_segments: int
    total_contacts: int  # distinct contacts that are a current member of any segment
    active_segments: int
    avg_segment_size: int  # current memberships / segments, rounded half up
    unsubscribed_contacts: int  # distinct members with an unsubscribed event


class SegmentSortColumn(StrEnum):
    NAME = "name"
    DESCRIPTION = "description"
    STATUS = "status"
    CONTACTS = "contacts"
    CAMPAIGNS = "campaigns"
    LAST_MODIFIED = "last_modified"


@dataclass(frozen=True)
class SegmentSort:
    column: SegmentSortColumn = SegmentSortColumn.NAME
    descending: bool = False

    def toggled(self) -> SegmentSort:
        return SegmentSort(self.column, not self.descending)


class ChoiceKind(StrEnum):
    """Lists a filter can pick a value from, searched as the user types."""

    CITY = "city"
    STATE = "state"
    COMPANY = "company"
    SEGMENT = "segment"


@dataclass(frozen=True)
class Choice:
    """One value a filter can take: `key` is what the query uses, `label` what users see."""

    key: str
    label: str


@dataclass(frozen=True)
class SegmentFilter:
    """What the dashboard list is narrowed to. Empty means "everything".

    `search` matches segment name, segment tags and the company of member contacts (R7.1).
    `city`, `state` and `company` select segments that have at least one current member
    matching all of them at once (see docs/dashboard.md).
    """

    search: str = ""
    status: SegmentStatus | None = None
    city: str | None = None
    state: str | None = None
    company: Choice | None = None  # key = company id
    # A rule typed after "?" in the search (D1.2): segments with a current member the
    # rule matches. Checked (segment references resolved) before it gets here.
    rule: Node | None = None
    # C19.4.6: the archived segments instead of the others (the status filter's "Archived").
    archived: bool = False

    @property
    def is_empty(self) -> bool:
        return self == SegmentFilter()

    @property
    def has_member_filter(self) -> bool:
        return any((self.city, self.state, self.company))


@dataclass(frozen=True)
class SegmentRow:
    """One row of the dashboard table and of the segments CSV export."""

    id: int
    name: str
    description: str
    status: SegmentStatus
    contact_count: int
    campaign_count: int
    last_modified: datetime
    # C20.7: a dynamic segment's last evaluation, and why its last one failed, and when
    # (None: never evaluated, it did not fail, or a static segment).
    evaluated_at: datetime | None = None
    evaluation_ms: int | None = None
    evaluation_error: str | None = None
    evaluation_failed_at: datetime | None = None


@dataclass(frozen=True)
class Keyset:
    """Opaque position in a sorted list: the sort value and id of a boundary row."""

    value: str | int | float | datetime | None
    id: int


@dataclass(frozen=True)
class Page(Generic[T]):
    """A window of a sorted list, fetched by keyset pagination.

    `first`/`last` are the keysets of the window's edges; `has_before`/`has_after` say whether
    there is anything beyond them.
    """

    rows: tuple[T, ...]
    first: Keyset | None = None
    last: Keyset | None = None
    has_before: bool = False
    has_after: bool = False
    offset: int | None = None  # the first row's position in the list, when it is known
